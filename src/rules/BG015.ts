import type { HandlerScope } from '../shell/analysis.js';
import type { Background, Cmd, Facts } from '../shell/facts/index.js';
import type { Stop } from '../shell/stops.js';
import { cannotHang, GEN_HINT } from './common.js';
import type { ProgramAnalysis, Rule } from './rule.js';

/** Package-script runners: they run the script in a shell of their own, as their child. */
const RUNNERS = new Set(['yarn', 'npm', 'npx', 'pnpm', 'pnpx', 'bun', 'bunx', 'make', 'gmake']);
const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

/** The generator's library functions (`ci-bgsafe gen --format library`). */
const LIBRARY = /^ci_bgsafe_/;

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

function base(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * What a background statement runs as a wrapper whose work is done by a child process, so that killing
 * its PID leaves that child running: `yarn …`, `npm run …`, `npx …`, `pnpm …`, `make`, `sh -c '…'` with
 * more than one command, a shell script. Undefined for a command that is the process itself. `parse`
 * reads an `sh -c` script (ProgramAnalysis.parse).
 */
export function wrapperOf(b: Background, parse: (text: string) => Facts): string | undefined {
  const c: Cmd | undefined = b.cmds[0];
  if (!c?.name || b.cmds.length !== 1) return undefined;
  const name = base(c.name);
  if (RUNNERS.has(name)) return name === 'npm' || name === 'yarn' || name === 'pnpm' ? `${name}${c.args[0] && !c.args[0].startsWith('-') ? ` ${c.args[0]}` : ''}` : name;
  if (SHELLS.has(name)) {
    const i = c.args.indexOf('-c');
    if (i < 0) return c.args.some((a) => !a.startsWith('-')) ? `${name} ${c.args.find((a) => !a.startsWith('-'))}` : undefined;
    const text = c.argStatic[i + 1] ? c.args[i + 1] : undefined;
    if (text === undefined) return `${name} -c`;
    // `sh -c 'server'` and `sh -c '… exec server'` become the server: the PID is the server's.
    const inner = parse(text);
    const last = inner.cmds[inner.cmds.length - 1];
    if (inner.cmds.length <= 1 && !inner.backgrounds.length) return undefined;
    if (last && last.wrappers.includes('exec') && !last.sub) return undefined;
    return `${name} -c`;
  }
  if (/\.(sh|bash)$/.test(name)) return name;
  return undefined;
}

/**
 * Whether a kill run at program offset `at` targets this background statement by its PID (`$PID`, `$!`,
 * `%1`), not its group. A trap handler runs when the job ends: `$!` there is the last start of all.
 */
function killsByPid(stop: Stop, b: Background, a: ProgramAnalysis, at: number): boolean {
  if (stop.kind !== 'kill' || stop.broad || stop.unknown) return false;
  if (stop.vars.some((v) => b.pidVars.includes(v))) return true;
  if (stop.bang && a.facts.backgrounds.filter((x) => x.amp < at && !x.fn).pop() === b) return true;
  return stop.jobspecs.length > 0 && a.facts.backgrounds.length === 1;
}

/** Whether the same cleanup also stops the wrapper's children: the group (`kill -- -$PID`), `pkill -P`. */
function alsoStopsChildren(stops: Stop[]): boolean {
  return stops.some((s) => (s.kind === 'kill' && s.broad) || (s.kind === 'pkill' && s.cmd.args.includes('-P')));
}

/** BG015 kill-spares-children: `kill $PID` of a wrapper (yarn, npm run, npx, make, sh -c, a script) leaves its children running. */
export const BG015: Rule = {
  meta: {
    id: 'BG015',
    name: 'kill-spares-children',
    defaultSeverity: 'error',
    summary: '`kill $PID` where the PID is a wrapper (`yarn …`, `npm run …`, `npx …`, `pnpm …`, `make`, `sh -c`, a script): it stops the wrapper and leaves the process that does the work running.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    const places: Array<{ stops: Stop[]; runs: (s: Stop) => number; where: (s: Stop) => string }> = [
      {
        stops: a.flowStops.map((s) => s.stop),
        runs: (s) => s.cmd.start,
        where: (s) => `program line ${lineOf(a.program.text, s.cmd.start)}`,
      },
      ...a.cleanupTraps.map((h: HandlerScope) => ({
        stops: h.stops,
        runs: () => a.program.text.length,
        where: () => `the ${h.trap.signals.join('/')} trap of program line ${lineOf(a.program.text, h.trap.cmd.start)}`,
      })),
    ];
    for (const b of a.facts.backgrounds) {
      // The generator's library stops its own helpers as it means to.
      if (LIBRARY.test(b.fn ?? '')) continue;
      const wrapper = wrapperOf(b, a.parse);
      if (!wrapper) continue;
      const kills: string[] = [];
      for (const { stops, runs, where } of places) {
        if (alsoStopsChildren(stops)) continue;
        const k = stops.find((s) => !LIBRARY.test(s.cmd.fn ?? '') && killsByPid(s, b, a, runs(s)));
        if (k) kills.push(`\`${k.cmd.node.text.replace(/\s+/g, ' ')}\` (${where(k)})`);
      }
      if (!kills.length) continue;
      const held = b.stdout === 'job' || b.stderr === 'job';
      const fate = cannotHang(job.executor)
        ? 'it runs on until the container is removed'
        : held
          ? "it keeps the job's output open, so the job hangs until its timeout (or, on runners using the step-runner path, is left running after the job)"
          : 'it outlives the job and piles up on the runner';
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `\`${wrapper}\` runs the real work as its child, but ${kills.join(' and ')} ${kills.length > 1 ? 'signal' : 'signals'} only the wrapper by its PID: the child gets no signal and ${fate}. Put \`setsid\` in front of this start (its own process group; \`$!\` is then the group's id) and stop the group with \`kill -- -$PID\`, or ${GEN_HINT}.`,
        severity: cannotHang(job.executor) ? 'warning' : undefined,
      });
    }
  },
};
