/**
 * What `--fix` adds to a file whose fixed jobs start services through the library
 * (`!reference [.ci-bgsafe, before_script]`, `.ci-bgsafe-sh` for sh): once per file, either
 *
 * - an `include:` of the services component, when the configuration names it (`servicesComponent`),
 *   which defines both hidden jobs; or
 * - the hidden job itself, at the end of the file, holding `ci-bgsafe gen --format library`.
 *
 * Nothing is added when the file already defines the hidden job or includes the component.
 */
import { isMap, isScalar, isSeq, parseAllDocuments, type Document, type YAMLMap } from 'yaml';
import { generate } from '../gen/index.js';
import { GUARD_JOBS } from '../rules/guard-fix.js';
import { LIBRARY_JOBS } from '../rules/library-fix.js';
import type { Fix, TextEdit } from '../types.js';

type Shell = keyof typeof LIBRARY_JOBS;

const generated = new Map<string, string>();
function generatedText(format: 'library' | 'guard', shell: Shell): string {
  let t = generated.get(`${format}|${shell}`);
  if (t === undefined) generated.set(`${format}|${shell}`, (t = generate({ services: [] }, { format, shell })));
  return t;
}

/** The part of a component address before its version: `$CI_SERVER_FQDN/group/project/services`. */
function withoutVersion(address: string): string {
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).trim();
}

/** The document jobs are in: the last one (a component's first document is its `spec:` header). */
function jobsDocument(text: string): Document.Parsed | undefined {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs)) return undefined;
  const doc = docs[docs.length - 1];
  return doc && doc.errors.length === 0 ? doc : undefined;
}

/**
 * The edit of `file` (whose text is `text`) that provides the library for `shell`: null when the file
 * has it already, undefined when it cannot be added safely (the top level is not a block mapping,
 * `include:` is not a block list). It inserts at the end of the file or in the top-level `include:`,
 * where a fix's edits of job scripts never are, so it goes with them in one set of edits.
 */
export function libraryEdit(file: string, text: string, shell: Shell, component: string | undefined): TextEdit | null | undefined {
  const doc = jobsDocument(text);
  const root = doc?.contents;
  if (!doc || !isMap(root) || root.flow) return undefined;
  if (root.has(LIBRARY_JOBS[shell])) return null;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = (s: string) => s.replace(/\n/g, eol);
  const comment =
    `# ci_bgsafe_start and ci_bgsafe_stop, for the jobs that use \`!reference [${LIBRARY_JOBS[shell]}, before_script]\`.\n` +
    `# Added by \`ci-bgsafe lint --fix\`; or include the services component, which defines the same job.\n`;
  const insert = component
    ? includeComponent(text, root, component, lines)
    : appendHiddenJob(text, root, LIBRARY_JOBS[shell], generatedText('library', shell), comment, lines);
  if (insert === null || insert === undefined) return insert;
  return { file, range: [insert.at, insert.at], text: insert.text };
}

interface Insert {
  at: number;
  text: string;
}

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function includeComponent(text: string, root: YAMLMap, component: string, lines: (s: string) => string): Insert | null | undefined {
  const entry = `- component: ${component}`;
  const include = root.get('include', true);
  if (include === undefined) {
    // A new `include:` in front of the first key.
    const at = root.range?.[0];
    if (at === undefined || at !== lineStart(text, at)) return undefined;
    return { at, text: lines(`include:\n  ${entry}\n\n`) };
  }
  if (!isSeq(include) || include.flow || !include.range || !include.items.length) return undefined;
  const wanted = withoutVersion(component);
  for (const item of include.items) {
    const c = isMap(item) ? item.get('component', true) : undefined;
    if (isScalar(c) && typeof c.value === 'string' && withoutVersion(c.value) === wanted) return null;
  }
  // A new item after the last one, at the list's indentation.
  const dash = include.range[0];
  const indent = text.slice(lineStart(text, dash), dash);
  if (!/^ *$/.test(indent)) return undefined;
  const last = include.items[include.items.length - 1];
  let end = isMap(last) || isScalar(last) || isSeq(last) ? last.range?.[1] : undefined;
  if (end === undefined) return undefined;
  while (end > dash && /\s/.test(text[end - 1]!)) end--; // a map item's range takes in the line breaks after it
  const nl = text.indexOf('\n', end);
  if (nl < 0) return { at: text.length, text: lines(`\n${indent}${entry}\n`) };
  return { at: nl + 1, text: lines(`${indent}${entry}\n`) };
}

/** A hidden job `name` at the end of the file whose `before_script` is the generated code, with a comment above it. */
function appendHiddenJob(text: string, root: YAMLMap, name: string, code: string, comment: string, lines: (s: string) => string): Insert | undefined {
  const at = root.range?.[0];
  if (at === undefined || at !== lineStart(text, at)) return undefined; // the top level starts at column 1
  const body = code
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : `      ${l}`))
    .join('\n');
  const job = `${comment}${name}:\n  before_script:\n    - |\n${body}\n`;
  const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return { at: text.length, text: lines(sep + job) };
}

/**
 * The edit of `file` that provides the job guard for `shell`: the hidden job `.ci-bgsafe-guard`
 * (`.ci-bgsafe-guard-sh`) at the end of the file, holding `ci-bgsafe gen --format guard`; null when
 * the file defines it already, undefined when it cannot be added safely.
 */
export function guardEdit(file: string, text: string, shell: Shell): TextEdit | null | undefined {
  const doc = jobsDocument(text);
  const root = doc?.contents;
  if (!doc || !isMap(root) || root.flow) return undefined;
  if (root.has(GUARD_JOBS[shell])) return null;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const comment =
    `# The job guard, for the jobs that use \`!reference [${GUARD_JOBS[shell]}, before_script]\`: it names and stops what\n` +
    `# a job leaves running. Added by \`ci-bgsafe lint --fix\`; or include the guard component, which defines the same job.\n`;
  const insert = appendHiddenJob(text, root, GUARD_JOBS[shell], generatedText('guard', shell), comment, (s) => s.replace(/\n/g, eol));
  return insert && { file, range: [insert.at, insert.at], text: insert.text };
}

/**
 * All the edits of `fix` in `file` (whose text is `text`), with what it needs added to the file once:
 * the library (`fix.library`; the services component's include when `component` is set) or the job
 * guard (`fix.guard`). Undefined when that cannot be added safely.
 */
export function fixEdits(file: string, text: string, fix: Fix, component: string | undefined): TextEdit[] | undefined {
  const extra: TextEdit[] = [];
  for (const e of [fix.library ? libraryEdit(file, text, fix.library, component) : null, fix.guard ? guardEdit(file, text, fix.guard) : null]) {
    if (e === undefined) return undefined;
    if (e) extra.push(e);
  }
  return [...fix.edits, ...extra];
}
