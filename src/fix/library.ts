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
import { LIBRARY_JOBS } from '../rules/library-fix.js';
import type { TextEdit } from '../types.js';

type Shell = keyof typeof LIBRARY_JOBS;

const libraryTexts = new Map<Shell, string>();
function libraryText(shell: Shell): string {
  let t = libraryTexts.get(shell);
  if (t === undefined) libraryTexts.set(shell, (t = generate({ services: [] }, { format: 'library', shell })));
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
  const insert = component ? includeComponent(text, root, component, lines) : appendHiddenJob(text, root, shell, lines);
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

function appendHiddenJob(text: string, root: YAMLMap, shell: Shell, lines: (s: string) => string): Insert | undefined {
  const at = root.range?.[0];
  if (at === undefined || at !== lineStart(text, at)) return undefined; // the top level starts at column 1
  const body = libraryText(shell)
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l === '' ? '' : `      ${l}`))
    .join('\n');
  const job =
    `# ci_bgsafe_start and ci_bgsafe_stop, for the jobs that use \`!reference [${LIBRARY_JOBS[shell]}, before_script]\`.\n` +
    `# Added by \`ci-bgsafe lint --fix\`; or include the services component, which defines the same job.\n` +
    `${LIBRARY_JOBS[shell]}:\n  before_script:\n    - |\n${body}\n`;
  const sep = text === '' || text.endsWith('\n\n') ? '' : text.endsWith('\n') ? '\n' : '\n\n';
  return { at: text.length, text: lines(sep + job) };
}
