/**
 * The questions rules ask of a job's shell programs, answered once per program:
 * which traps clean up, when each background statement starts, what stops it.
 */
import type { Executor, Job, ShellKind } from '../types.js';
import { composeFacts, standsAlone } from './compose.js';
import { moveCmd, type Cmd, type Facts, type Trap } from './facts/index.js';
import type { Parses } from './parses.js';
import { buildProgram, type Program } from './program.js';
import { classifyStop, commandStringStops, findDetaches, type Detach, type Stop } from './stops.js';

export interface HandlerScope {
  trap: Trap;
  /** The commands the handler runs: its own text and the functions it calls, transitively. */
  cmds: Cmd[];
  stops: Stop[];
  /** Functions the handler calls. */
  calls: string[];
  /** Commands written in the handler text itself. */
  own: Set<Cmd>;
}

export interface ProgramAnalysis {
  program: Program;
  facts: Facts;
  /** Each `set` trap with the commands its handler runs. */
  handlers: HandlerScope[];
  /** Cleanup traps: handlers that stop background work. */
  cleanupTraps: HandlerScope[];
  /** Stops run in the program's own flow (not in a trap handler), with the offset at which they run. */
  flowStops: Array<{ stop: Stop; at: number }>;
  /** Commands that detach something, with the offset at which they run. */
  detaches: Array<{ detach: Detach; at: number }>;
  /** When a statement at `offset` runs: its own offset, or for code inside a function, the first call of it. */
  when(offset: number, fn: string | undefined): number | undefined;
  /** The facts of another shell text the program runs (an `sh -c` script), parsed once in the run, like a trap handler. */
  parse(text: string): Facts;
}

export interface JobAnalysis {
  job: Job;
  executor: Executor;
  shell: ShellKind;
  /** before_script + script: one shell. */
  main: ProgramAnalysis;
  /** after_script: a shell of its own. */
  after: ProgramAnalysis;
  /** CI/CD variables of the job. */
  variables: Record<string, string>;
}

/** The texts whose parses a program's facts are made of (see `programFacts`): plan and release these. */
export function factsTexts(program: Program): string[] {
  return program.parts.length ? program.parts.map((p) => p.item.text) : [''];
}

/**
 * The facts of a program: from its items' facts, each item parsed once for every job that runs it,
 * or, when an item is not complete on its own (see compose.ts), from the program parsed whole.
 */
export function programFacts(program: Program, parses: Parses): Facts {
  const { parts } = program;
  if (parts.length <= 1) return parses.of(program.text);
  const pieces: Array<{ facts: Facts; at: number }> = [];
  for (const p of parts) {
    const facts = parses.of(p.item.text);
    if (!standsAlone(facts)) return parses.of(program.text);
    pieces.push({ facts, at: p.start });
  }
  return composeFacts(program.text, pieces);
}

/** Analyses a program from its facts (by default, `programFacts`). */
export function analyseProgram(program: Program, vars: Record<string, string>, parses: Parses, facts = programFacts(program, parses)): ProgramAnalysis {
  const calls = callSites(facts);
  const whenCache = new Map<string, number | undefined>();
  const when = (offset: number, fn: string | undefined): number | undefined => {
    if (!fn) return offset;
    if (whenCache.has(fn)) return whenCache.get(fn);
    whenCache.set(fn, undefined); // recursion guard
    let first: number | undefined;
    for (const c of calls.get(fn) ?? []) {
      const t = when(c.start, c.fn);
      if (t !== undefined && (first === undefined || t < first)) first = t;
    }
    whenCache.set(fn, first);
    return first;
  };

  const handlers: HandlerScope[] = [];
  for (const trap of facts.traps) {
    if (trap.action !== 'set' || trap.handler === undefined) continue;
    handlers.push(handlerScope(trap, facts, vars, parses));
  }
  const cleanupTraps = handlers.filter((h) => h.stops.some((s) => s.kind !== 'wait'));

  const handlerFns = new Set(handlers.flatMap((h) => h.calls));
  const flowStops: ProgramAnalysis['flowStops'] = [];
  for (const cmd of facts.cmds) {
    const at = when(cmd.start, cmd.fn);
    if (at === undefined || (cmd.fn && handlerFns.has(cmd.fn) && !calls.get(cmd.fn)?.some((c) => !c.fn))) continue;
    const stop = classifyStop(cmd, vars);
    if (stop) flowStops.push({ stop, at });
    for (const inner of commandStringStops(cmd, (text) => parses.of(text, true), vars)) flowStops.push({ stop: inner, at });
  }
  const detaches = findDetaches(facts, vars, (text) => parses.of(text, true)).map(({ detach, start, fn }) => ({ detach, at: when(start, fn) ?? start }));
  detaches.sort((a, b) => a.at - b.at);
  return { program, facts, handlers, cleanupTraps, flowStops, detaches, when, parse: (text) => parses.of(text, true) };
}

/** Call sites of every function defined in the program (commands named after it, outside its own body). */
function callSites(facts: Facts): Map<string, Cmd[]> {
  const out = new Map<string, Cmd[]>();
  for (const cmd of facts.cmds) {
    const n = cmd.name;
    if (!n || !facts.funcs.has(n) || cmd.fn === n) continue;
    let list = out.get(n);
    if (!list) out.set(n, (list = []));
    list.push(cmd);
  }
  return out;
}

function handlerScope(trap: Trap, facts: Facts, vars: Record<string, string>, parses: Parses): HandlerScope {
  const hf = parses.of(trap.handler ?? '', true);
  // The handler's own commands, moved from the handler's text to where it is written in the program.
  const own = hf.cmds.map((c) => moveCmd(c, trap.handlerStart));
  const cmds: Cmd[] = [...own];
  const seen = new Set<string>();
  const queue = own.map((c) => c.name).filter((n): n is string => !!n && facts.funcs.has(n));
  while (queue.length) {
    const fn = queue.shift()!;
    if (seen.has(fn)) continue;
    seen.add(fn);
    for (const c of facts.cmds) {
      if (c.fn !== fn) continue;
      cmds.push(c);
      if (c.name && facts.funcs.has(c.name) && !seen.has(c.name)) queue.push(c.name);
    }
  }
  const stops = cmds.flatMap((c) => {
    const stop = classifyStop(c, vars);
    return [...(stop ? [stop] : []), ...commandStringStops(c, (text) => parses.of(text, true), vars)];
  });
  return { trap, cmds, stops, calls: [...seen], own: new Set(own) };
}

/** The signals a trap covers. */
export function covers(trap: Trap, ...signals: string[]): boolean {
  return signals.some((s) => trap.signals.includes(s));
}

/** The two shell programs of a job: before_script + script in one shell, after_script in another. */
export function jobPrograms(job: Job): { main: Program; after: Program } {
  return {
    main: buildProgram([
      ['before_script', job.before_script],
      ['script', job.script],
    ]),
    after: buildProgram([['after_script', job.after_script]]),
  };
}

/** Analyses a job's programs, parsed through `parses` (see parses.ts). */
export function analyseJob(job: Job, executor: Executor, shell: ShellKind, parses: Parses, programs = jobPrograms(job)): JobAnalysis {
  const variables = job.variables;
  const main = analyseProgram(programs.main, variables, parses);
  const after = analyseProgram(programs.after, variables, parses);
  return { job, executor, shell, main, after, variables };
}
