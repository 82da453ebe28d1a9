/**
 * The fix shared by BG001, BG002, BG005 and BG011: a plain `cmd args &` (optionally behind
 * `nohup`/`setsid`) becomes `ci_bgsafe_start NAME -- cmd args`, and the job gets the library that
 * defines it as a script item `- !reference [.ci-bgsafe, before_script]` (`.ci-bgsafe-sh` for sh) in
 * front of the item holding its first background statement. The fix says which library it needs;
 * `--fix` adds that to the file once (src/fix/library.ts). All of the job's background statements
 * are converted at once: once the library's traps are in place, a background statement left as it
 * was would look managed without being so.
 */
import { isMap, parseDocument } from 'yaml';
import type { JobAnalysis, ProgramAnalysis } from '../shell/analysis.js';
import { nodeRange, type Background, type Cmd, type SyntaxNode } from '../shell/facts/index.js';
import { partAt } from '../shell/program.js';
import { stopTargets, type Stop } from '../shell/stops.js';
import type { Fix, TextEdit } from '../types.js';
import { backgroundName, itemBefore, programEdit, startsStatement, type Sources } from './edits.js';

const SHELL_BUILTINS = new Set([
  'eval', 'exec', 'source', '.', 'read', 'cd', 'export', 'set', 'trap', 'wait', 'kill', 'jobs', 'fg', 'bg', 'disown',
  'while', 'until', 'for', 'if', 'case', 'function', 'builtin', 'command', 'local', 'declare', 'typeset', 'exit', 'return',
]);
const OWNING_TRAPS = ['EXIT', 'HUP', 'INT', 'QUIT', 'ABRT', 'TERM'];

/** The hidden job whose `before_script` holds the library of each shell (the same names as in the services component). */
export const LIBRARY_JOBS = { bash: '.ci-bgsafe', sh: '.ci-bgsafe-sh' } as const;

/** The title of the fix that starts processes with `ci_bgsafe_start`. */
const LIBRARY_FIX_TITLE = 'Start it with ci_bgsafe_start, which always stops it';

export const LIBRARY_SUGGESTION =
  'Start it with `ci_bgsafe_start NAME -- COMMAND…` after `!reference [.ci-bgsafe, before_script]` (the services component, or `ci-bgsafe gen --format library` in a hidden job `.ci-bgsafe`), which stops it when the job ends, fails or is cancelled.';

/** Code of the library itself (its functions and trap handlers). */
function isLibrary(text: string | undefined): boolean {
  return !!text && text.trim().startsWith('ci_bgsafe_');
}

const referenceCache = new Map<string, boolean>();
function definesReferenceLibrary(text: string): boolean {
  if (!text.includes('.ci-bgsafe')) return false;
  let found = referenceCache.get(text);
  if (found === undefined) {
    try {
      const root = parseDocument(text, { uniqueKeys: false }).contents;
      const job = isMap(root) ? root.get('.ci-bgsafe', true) : undefined;
      found = isMap(job) && job.has('library');
    } catch {
      found = false;
    }
    if (referenceCache.size >= 16) referenceCache.clear();
    referenceCache.set(text, found);
  }
  return found;
}

/**
 * An edit adding the library's script item in front of the item holding the job's first background
 * statement (where that item is shared, an anchor or `extends`, the library goes with it), and whether
 * the file has the library already: `!reference [.ci-bgsafe, library]` where the file holds
 * `ci-bgsafe gen --format reference`'s hidden job, else `!reference [.ci-bgsafe, before_script]`,
 * which `--fix` provides.
 */
function installEdit(sources: Sources, job: JobAnalysis, shell: 'bash' | 'sh', firstBackground: number): { edit: TextEdit; present: boolean } | undefined {
  const first = partAt(job.main.program, firstBackground)?.item;
  const text = first && sources.get(first.file);
  if (!first || text === undefined) return undefined;
  const present = definesReferenceLibrary(text);
  const edit = itemBefore(sources, first, present ? '!reference [.ci-bgsafe, library]' : `!reference [${LIBRARY_JOBS[shell]}, before_script]`);
  return edit && { edit, present };
}

/** The words of a background command without `nohup`/`setsid` in front, as program offsets. */
function commandWords(cmd: Cmd): number | undefined {
  if (!cmd.wrappers.length) return cmd.start;
  if (cmd.wrapperFlags.length || cmd.wrappers.some((w) => w !== 'nohup' && w !== 'setsid')) return undefined;
  const kids = cmd.node.namedChildren.filter((k): k is SyntaxNode => !!k);
  let i = 0;
  for (const w of cmd.wrappers) {
    const k = kids[i];
    if (!k || k.text !== w) return undefined;
    i++;
  }
  const nameNode = kids[i];
  if (!nameNode || nameNode.text !== cmd.rawName) return undefined;
  return nodeRange(cmd, nameNode).start;
}

/** The edit starting background statement `b` through `ci_bgsafe_start`, or undefined when that is not safe. */
function startEdit(sources: Sources, a: ProgramAnalysis, b: Background, stops: Stop[], taken: Set<string>): TextEdit | undefined {
  if (b.fn || b.sub || b.loop || b.cmds.length !== 1 || b.node.type !== 'command' || !startsStatement(b.node)) return undefined;
  const cmd = b.cmds[0]!;
  if (!cmd.name || a.facts.funcs.has(cmd.name) || SHELL_BUILTINS.has(cmd.name) || cmd.name.startsWith('ci_bgsafe')) return undefined;
  if (cmd.node.namedChildren.some((k) => k?.type === 'variable_assignment' || k?.type === 'file_redirect' || k?.type === 'herestring_redirect')) return undefined;
  if (b.pidVars.length || b.end > b.amp) return undefined;
  // Stops by PID or job number would no longer reach the service.
  if (stops.some((s) => (s.bang || s.jobspecs.length || s.vars.length || s.broad || s.unknown) && stopTargets(s, b, a))) return undefined;
  const wordsAt = commandWords(cmd);
  if (wordsAt === undefined) return undefined;
  const words = a.program.text.slice(wordsAt, cmd.end);
  if (!words.startsWith(cmd.rawName)) return undefined;
  const name = backgroundName(a, b, taken);
  // A later stop (pkill, killall) is expected: do not fail the job when the service exits.
  const onExit = a.flowStops.some((s) => s.at > b.amp && stopTargets(s.stop, b, a, s.stop.cmd.start)) ? ' --on-exit ignore' : '';
  // `&` separated it from what follows on the line: keep a separator there.
  const lineEnd = a.program.text.indexOf('\n', b.amp);
  const rest = a.program.text.slice(b.amp + 1, lineEnd < 0 ? undefined : lineEnd);
  const sep = rest.trim() === '' || rest.trim().startsWith('#') ? '' : ';';
  return programEdit(sources, a, b.start, b.amp + 1, `ci_bgsafe_start ${name}${onExit} -- ${words}${sep}`);
}

const cache = new WeakMap<JobAnalysis, Fix | null>();

/** The fix starting every background statement of the job through the library, or undefined when that is not safe. */
function jobFix(sources: Sources, job: JobAnalysis): Fix | undefined {
  const a = job.main;
  if (job.shell === 'powershell') return undefined;
  const shell = job.shell === 'ash' ? 'sh' : 'bash';
  // The library owns the EXIT and signal traps: a trap of the job's own would replace it, or be replaced.
  if (a.facts.traps.some((t) => !isLibrary(t.handler) && t.signals.some((s) => OWNING_TRAPS.includes(s)))) return undefined;
  const stops = [
    ...a.flowStops.map((s) => s.stop),
    ...a.handlers.filter((h) => !isLibrary(h.trap.handler)).flatMap((h) => h.stops),
  ].filter((s) => !isLibrary(s.cmd.fn));
  // `wait` would also wait for the library's watcher: forever.
  if (stops.some((s) => s.kind === 'wait')) return undefined;
  const lib = a.facts.funcs.get('ci_bgsafe_start');
  const taken = new Set(a.facts.cmds.filter((c) => c.name === 'ci_bgsafe_start' && c.args[0]).map((c) => c.args[0]!));
  const edits: TextEdit[] = [];
  const mine = a.facts.backgrounds.filter((x) => !isLibrary(x.fn));
  for (const x of mine) {
    if (lib && lib.start > x.start) return undefined;
    const e = startEdit(sources, a, x, stops, taken);
    if (!e || (edits.length && e.file !== edits[0]!.file)) return undefined;
    edits.push(e);
  }
  if (!edits.length) return undefined;
  if (lib) return { title: LIBRARY_FIX_TITLE, edits };
  const install = installEdit(sources, job, shell, Math.min(...mine.map((x) => x.start)));
  if (!install || install.edit.file !== edits[0]!.file) return undefined;
  const all = [install.edit, ...edits];
  return install.present ? { title: LIBRARY_FIX_TITLE, edits: all } : { title: LIBRARY_FIX_TITLE, edits: all, library: shell };
}

/** The fix of a finding at background statement `start` of the job's main program, or undefined when there is none. */
export function libraryFix(sources: Sources, job: JobAnalysis, start: number): Fix | undefined {
  if (!job.main.facts.backgrounds.some((x) => x.start === start && !isLibrary(x.fn))) return undefined;
  let fix = cache.get(job);
  if (fix === undefined) cache.set(job, (fix = jobFix(sources, job) ?? null));
  return fix ?? undefined;
}
