/**
 * Fixers: for a finding of a fixable rule, the text edits on the original YAML source that repair it,
 * or a suggestion when no edit is safe. Edits touch only the characters that need it: a scalar's
 * style, the comments and the lines around it stay as written.
 *
 * - BG006: `set -E; ` in front of the ERR trap, on the trap's own line.
 * - BG009: `mkdir -p "${CI_PROJECT_DIR:-.}/.ci-bgsafe"; ` in front of the background statement and
 *   ` >"${CI_PROJECT_DIR:-.}/.ci-bgsafe/NAME.log" 2>&1` after its command.
 * - BG001, BG002, BG005, BG011: a plain `cmd args &` (optionally behind `nohup`/`setsid`) becomes
 *   `ci_bgsafe_start NAME -- cmd args`, with the generator's library installed once, as a new script
 *   item in front of the job's first background statement (or `!reference [.ci-bgsafe, library]`
 *   when the file defines `.ci-bgsafe`). All of the job's background statements are converted at once.
 */
import { readFileSync } from 'node:fs';
import { parseDocument, isMap } from 'yaml';
import { generate } from '../gen/index.js';
import type { Report } from '../rules/rule.js';
import type { JobAnalysis, ProgramAnalysis } from '../shell/analysis.js';
import { nodeRange, type Background, type Cmd } from '../shell/facts/index.js';
import { stopTargets, type Stop } from '../shell/stops.js';
import type { Node } from '../shell/parser.js';
import { partAt, type SourceRange } from '../shell/program.js';
import type { ScriptItem, TextEdit } from '../types.js';

export interface FixResult {
  fix?: TextEdit[];
  suggestion?: string;
}

/** Where logs of redirected background commands go (the generator's library uses the same folder). */
export const LOG_DIR = '"${CI_PROJECT_DIR:-.}/.ci-bgsafe"';

const overrides = new Map<string, string>();

/** Runs `f` with file texts that are not (yet) on disk, e.g. a candidate fixed text being re-linted. */
export function withSourceTexts<T>(texts: Map<string, string>, f: () => T): T {
  const saved = new Map(overrides);
  for (const [k, v] of texts) overrides.set(k, v);
  try {
    return f();
  } finally {
    overrides.clear();
    for (const [k, v] of saved) overrides.set(k, v);
  }
}

function sourceText(file: string): string | undefined {
  const o = overrides.get(file);
  if (o !== undefined) return o;
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The edits that fix one finding, or a suggestion, or nothing. With `texts` false the edits are worked
 * out only to know whether there are any: the library's text is left out, so the generator is not loaded.
 */
export function fixFor(ruleId: string, report: Report, job: JobAnalysis, src: SourceRange, texts = true): FixResult | undefined {
  if (report.program !== 'main') return undefined;
  switch (ruleId) {
    case 'BG006':
      return fixErrtrace(report, job, src);
    case 'BG009':
      return fixOutput(report, job);
    case 'BG001':
    case 'BG002':
    case 'BG005':
    case 'BG011':
      return fixWithLibrary(ruleId, report, job, texts);
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Editing inside a scalar

/** Node types whose children are whole statements: text inserted before a child starts a new statement. */
const STATEMENT_LISTS = new Set(['program', 'compound_statement', 'do_group', 'if_statement', 'elif_clause', 'else_clause', 'case_item', 'subshell']);

function startsStatement(node: Node): boolean {
  const p = node.parent;
  return !!p && STATEMENT_LISTS.has(p.type);
}

/** File offset of item index `i`; the end of the text is right after its last character (before a closing quote). */
function off(item: ScriptItem, i: number): number {
  return i > 0 && i === item.text.length ? item.offsetOf(i - 1) + 1 : item.offsetOf(i);
}

/** Whether item text [s, e) is written character for character in the file (no escapes, folds or indentation inside). */
function verbatim(item: ScriptItem, s: number, e: number, text: string | undefined): boolean {
  for (let i = s; i < e; i++) if (off(item, i + 1) !== off(item, i) + 1) return false;
  if (text === undefined) return false;
  return text.slice(off(item, s), off(item, e)) === item.text.slice(s, e);
}

/** Whether a plain scalar sits in a flow collection (`[a, b]`), where `,[]{}` end it. */
function inFlow(item: ScriptItem, text: string): boolean {
  let i = item.scalar.start - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i >= 0 && '[,{'.includes(text[i]!);
}

/** `text` written in the scalar's style, or undefined when it cannot be written there without changing meaning. */
function encode(item: ScriptItem, value: string, file: string): string | undefined {
  if (value.includes('\n')) return undefined;
  switch (item.scalar.style) {
    case 'PLAIN': {
      const src = sourceText(file);
      if (src === undefined) return undefined;
      if (/: |\s#|:$/.test(value)) return undefined;
      if (inFlow(item, src) && /[[\]{},]/.test(value)) return undefined;
      return value;
    }
    case 'QUOTE_DOUBLE':
      return value.replace(/[\\"]/g, (c) => `\\${c}`);
    case 'QUOTE_SINGLE':
      return value.replace(/'/g, "''");
    case 'BLOCK_LITERAL':
      return value;
    default:
      return undefined; // folded `>` scalars: line breaks and indentation change what GitLab runs
  }
}

/** An edit replacing item text [s, e) by `value`, or undefined when that is not safe. */
function itemEdit(item: ScriptItem, s: number, e: number, value: string): TextEdit | undefined {
  const text = sourceText(item.file);
  if (!verbatim(item, s, e, text)) return undefined;
  // An insertion goes right before a character written as it is (or right after the last one).
  if (s === e && !(s < item.text.length ? verbatim(item, s, s + 1, text) : s > 0 && verbatim(item, s - 1, s, text))) return undefined;
  const encoded = encode(item, value, item.file);
  if (encoded === undefined) return undefined;
  return { file: item.file, start: off(item, s), end: off(item, e), text: encoded };
}

/** Item and item indices of a program range inside one item. */
function inItem(a: ProgramAnalysis, start: number, end: number): { item: ScriptItem; s: number; e: number } | undefined {
  const part = partAt(a.program, start);
  if (!part) return undefined;
  const s = start - part.start;
  const e = end - part.start;
  if (s < 0 || e > part.item.text.length || e < s) return undefined;
  return { item: part.item, s, e };
}

function programEdit(a: ProgramAnalysis, start: number, end: number, value: string): TextEdit | undefined {
  const r = inItem(a, start, end);
  return r && itemEdit(r.item, r.s, r.e, value);
}

// ---------------------------------------------------------------------------------------------
// BG006

function fixErrtrace(report: Report, job: JobAnalysis, src: SourceRange): FixResult {
  const suggestion = 'Add `set -E` before the ERR trap, e.g. `set -E; trap … ERR`.';
  const trap = job.main.facts.traps.find((t) => t.cmd.start === report.start);
  if (!trap || !startsStatement(trap.cmd.node)) return { suggestion };
  const edit = itemEdit(src.item, src.start, src.start, 'set -E; ');
  return edit ? { fix: [edit] } : { suggestion };
}

// ---------------------------------------------------------------------------------------------
// BG009

function serviceName(cmd: Cmd | undefined): string {
  const raw = (cmd?.name ?? 'service').slice((cmd?.name ?? '').lastIndexOf('/') + 1).toLowerCase();
  let n = raw.replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  if (!n) n = 'service';
  return n.slice(0, 40);
}

/** A name for the background statement, unique among the job's background statements and started services. */
function uniqueName(a: ProgramAnalysis, b: Background, taken: Set<string>): string {
  const names = new Set(taken);
  for (const other of a.facts.backgrounds) {
    const base = serviceName(other.cmds[0]);
    let n = base;
    for (let k = 2; names.has(n); k++) n = `${base}-${k}`;
    if (other === b) return n;
    names.add(n);
  }
  return serviceName(b.cmds[0]);
}

function startedNames(a: ProgramAnalysis): Set<string> {
  return new Set(a.facts.cmds.filter((c) => c.name === 'ci_bgsafe_start' && c.args[0]).map((c) => c.args[0]!));
}

function fixOutput(report: Report, job: JobAnalysis): FixResult {
  const a = job.main;
  const b = a.facts.backgrounds.find((x) => x.start === report.start);
  const suggestion = `Send both streams to a log file: \`cmd >"\${CI_PROJECT_DIR:-.}/.ci-bgsafe/NAME.log" 2>&1 &\` (after \`mkdir -p ${LOG_DIR}\`).`;
  if (!b || b.cmds.length !== 1 || !['command', 'redirected_statement'].includes(b.node.type) || !startsStatement(b.node)) return { suggestion };
  if (b.end > b.amp) return { suggestion };
  const name = uniqueName(a, b, new Set());
  const log = `"\${CI_PROJECT_DIR:-.}/.ci-bgsafe/${name}.log"`;
  const mkdir = programEdit(a, b.start, b.start, `mkdir -p ${LOG_DIR}; `);
  const redirect = programEdit(a, b.end, b.end, ` >${log} 2>&1`);
  if (!mkdir || !redirect || mkdir.file !== redirect.file) return { suggestion };
  return { fix: [mkdir, redirect] };
}

// ---------------------------------------------------------------------------------------------
// BG001, BG002, BG005, BG011: start through the generator's library

const SHELL_BUILTINS = new Set([
  'eval', 'exec', 'source', '.', 'read', 'cd', 'export', 'set', 'trap', 'wait', 'kill', 'jobs', 'fg', 'bg', 'disown',
  'while', 'until', 'for', 'if', 'case', 'function', 'builtin', 'command', 'local', 'declare', 'typeset', 'exit', 'return',
]);
const OWNING_TRAPS = ['EXIT', 'HUP', 'INT', 'QUIT', 'ABRT', 'TERM'];

/** Code of the library itself (its functions and trap handlers). */
function isLibrary(text: string | undefined): boolean {
  return !!text && text.trim().startsWith('ci_bgsafe_');
}

/** The library preamble, for `job.shell`. Cached: the generator renders templates. */
const libraryCache = new Map<string, string>();
function libraryText(shell: 'bash' | 'sh'): string {
  let t = libraryCache.get(shell);
  if (!t) libraryCache.set(shell, (t = generate({ services: [] }, { format: 'library', shell })));
  return t;
}

/**
 * What the library install needs to know of a file text: its line endings, and whether it defines the
 * hidden job `.ci-bgsafe` with a `library` part (from `ci-bgsafe gen --format reference`). Asked once
 * per fixable finding: worked out once per text, not once per finding.
 */
interface FileTraits {
  text: string;
  crlf: boolean;
  reference: boolean;
}
const traitsCache = new Map<string, FileTraits>();
function fileTraits(file: string, text: string): FileTraits {
  let t = traitsCache.get(file);
  if (t?.text !== text) {
    if (traitsCache.size >= 64) traitsCache.clear();
    t = { text, crlf: text.includes('\r\n'), reference: text.includes('.ci-bgsafe') && parseDefinesReference(text) };
    traitsCache.set(file, t);
  }
  return t;
}

function parseDefinesReference(text: string): boolean {
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    const root = doc.contents;
    if (!isMap(root)) return false;
    const job = root.get('.ci-bgsafe', true);
    return isMap(job) && job.has('library');
  } catch {
    return false;
  }
}

/** The script item that installs the library, as written at `indent` (cached: the same for every job). */
const itemCache = new Map<string, string>();
function libraryItem(shell: 'bash' | 'sh', indent: string, reference: boolean, crlf: boolean, texts: boolean): string {
  if (!texts && !reference) return `${indent}- |\n`;
  const key = `${shell}|${indent}|${reference}|${crlf}`;
  let insert = itemCache.get(key);
  if (insert === undefined) {
    if (reference) {
      insert = `${indent}- !reference [.ci-bgsafe, library]\n`;
    } else {
      const body = libraryText(shell)
        .replace(/\n+$/, '')
        .split('\n')
        .map((l) => (l === '' ? '' : `${indent}  ${l}`))
        .join('\n');
      insert = `${indent}- |\n${body}\n`;
    }
    if (crlf) insert = insert.replace(/\n/g, '\r\n'); // keep the file's line endings
    itemCache.set(key, insert);
  }
  return insert;
}

/**
 * An edit adding the library as a new script item in front of the item holding the job's first
 * background statement: where that item is shared (an anchor, `extends`), the library goes with it.
 */
function installLibrary(job: JobAnalysis, firstBackground: number, texts: boolean): TextEdit | undefined {
  const first = partAt(job.main.program, firstBackground)?.item;
  if (!first) return undefined;
  const text = sourceText(first.file);
  if (text === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', first.scalar.start - 1) + 1;
  const prefix = text.slice(lineStart, first.scalar.start);
  const m = /^( *)- +$/.exec(prefix);
  if (!m) return undefined; // only an item of a block sequence written on its own line
  const traits = fileTraits(first.file, text);
  const insert = libraryItem(job.shell === 'ash' ? 'sh' : 'bash', m[1]!, traits.reference, traits.crlf, texts);
  return { file: first.file, start: lineStart, end: lineStart, text: insert };
}

/** The words of a background command without `nohup`/`setsid` in front, as program offsets. */
function commandWords(cmd: Cmd): number | undefined {
  if (!cmd.wrappers.length) return cmd.start;
  if (cmd.wrapperFlags.length || cmd.wrappers.some((w) => w !== 'nohup' && w !== 'setsid')) return undefined;
  const kids = cmd.node.namedChildren.filter((k): k is Node => !!k);
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
function startEdit(a: ProgramAnalysis, b: Background, stops: Stop[], taken: Set<string>): TextEdit | undefined {
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
  const name = uniqueName(a, b, taken);
  // A later stop (pkill, killall) is expected: do not fail the job when the service exits.
  const onExit = a.flowStops.some((s) => s.at > b.amp && stopTargets(s.stop, b, a, s.stop.cmd.start)) ? ' --on-exit ignore' : '';
  // `&` separated it from what follows on the line: keep a separator there.
  const lineEnd = a.program.text.indexOf('\n', b.amp);
  const rest = a.program.text.slice(b.amp + 1, lineEnd < 0 ? undefined : lineEnd);
  const sep = rest.trim() === '' || rest.trim().startsWith('#') ? '' : ';';
  return programEdit(a, b.start, b.amp + 1, `ci_bgsafe_start ${name}${onExit} -- ${words}${sep}`);
}

/**
 * Starts every background statement of the job through the library, installing it first. All or
 * nothing: once the library's traps are in place, a background statement left as it was would
 * look managed without being so.
 */
function fixWithLibrary(ruleId: string, report: Report, job: JobAnalysis, texts: boolean): FixResult {
  const a = job.main;
  const suggestion =
    ruleId === 'BG005'
      ? 'Install the cleanup trap before starting the process, or start it with `ci_bgsafe_start NAME -- COMMAND…` from `ci-bgsafe gen --format library`.'
      : 'Start it with `ci_bgsafe_start NAME -- COMMAND…` after the preamble from `ci-bgsafe gen --format library` (or `!reference [.ci-bgsafe, library]`), which stops it when the job ends, fails or is cancelled.';
  const no = { suggestion };
  const b = a.facts.backgrounds.find((x) => x.start === report.start);
  if (!b || job.shell === 'powershell') return no;
  // The library owns the EXIT and signal traps: a trap of the job's own would replace it, or be replaced.
  if (a.facts.traps.some((t) => !isLibrary(t.handler) && t.signals.some((s) => OWNING_TRAPS.includes(s)))) return no;
  const stops = [
    ...a.flowStops.map((s) => s.stop),
    ...a.handlers.filter((h) => !isLibrary(h.trap.handler)).flatMap((h) => h.stops),
  ].filter((s) => !isLibrary(s.cmd.fn));
  // `wait` would also wait for the library's watcher: forever.
  if (stops.some((s) => s.kind === 'wait')) return no;
  const lib = a.facts.funcs.get('ci_bgsafe_start');
  const taken = startedNames(a);
  const edits: TextEdit[] = [];
  for (const x of a.facts.backgrounds) {
    if (isLibrary(x.fn)) continue;
    if (lib && lib.start > x.start) return no;
    const e = startEdit(a, x, stops, taken);
    if (!e || e.file !== edits[0]?.file && edits.length) return no;
    edits.push(e);
  }
  if (!edits.length) return no;
  if (lib) return { fix: edits };
  const first = Math.min(...a.facts.backgrounds.filter((x) => !isLibrary(x.fn)).map((x) => x.start));
  const install = installLibrary(job, first, texts);
  if (!install || install.file !== edits[0]!.file) return no;
  return { fix: [install, ...edits] };
}
