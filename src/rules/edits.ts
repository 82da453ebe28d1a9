/**
 * Text edits inside a script item, for the rules' fixes: they touch only the characters that need it,
 * so a scalar's style, the comments and the lines around it stay as written. Every edit is worked out
 * from the source texts the rule is given, in offsets of those texts.
 */
import type { ProgramAnalysis } from '../shell/analysis.js';
import { STATEMENT_LISTS } from '../shell/facts/tree.js';
import type { SyntaxNode } from '../shell/facts/index.js';
import { partAt } from '../shell/program.js';
import type { ScriptItem, TextEdit } from '../types.js';

/** The texts of the files a pipeline was read from, by path. */
export type Sources = ReadonlyMap<string, string>;


/** Whether `node` is a statement of its own (not a word or a part of a pipeline or list). */
export function startsStatement(node: SyntaxNode): boolean {
  const p = node.parent;
  return !!p && STATEMENT_LISTS.has(p.type);
}

/** File offset of item index `i`; the end of the text is right after its last character (before a closing quote). */
function off(item: ScriptItem, i: number): number {
  return i > 0 && i === item.text.length ? item.offsetOf(i - 1) + 1 : item.offsetOf(i);
}

/** Whether item text [s, e) is written character for character in the file (no escapes, folds or indentation inside). */
function verbatim(item: ScriptItem, s: number, e: number, text: string): boolean {
  for (let i = s; i < e; i++) if (off(item, i + 1) !== off(item, i) + 1) return false;
  return text.slice(off(item, s), off(item, e)) === item.text.slice(s, e);
}

/** Whether a plain scalar sits in a flow collection (`[a, b]`), where `,[]{}` end it. */
function inFlow(item: ScriptItem, text: string): boolean {
  let i = item.scalar.start - 1;
  while (i >= 0 && /\s/.test(text[i]!)) i--;
  return i >= 0 && '[,{'.includes(text[i]!);
}

/** `value` written in the scalar's style, or undefined when it cannot be written there without changing meaning. */
function encode(item: ScriptItem, value: string, text: string): string | undefined {
  if (value.includes('\n')) return undefined;
  switch (item.scalar.style) {
    case 'PLAIN':
      if (/: |\s#|:$/.test(value)) return undefined;
      if (inFlow(item, text) && /[[\]{},]/.test(value)) return undefined;
      return value;
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
export function itemEdit(sources: Sources, item: ScriptItem, s: number, e: number, value: string): TextEdit | undefined {
  const text = sources.get(item.file);
  if (text === undefined || !verbatim(item, s, e, text)) return undefined;
  // An insertion goes right before a character written as it is (or right after the last one).
  if (s === e && !(s < item.text.length ? verbatim(item, s, s + 1, text) : s > 0 && verbatim(item, s - 1, s, text))) return undefined;
  const encoded = encode(item, value, text);
  if (encoded === undefined) return undefined;
  return { file: item.file, range: [off(item, s), off(item, e)], text: encoded };
}

/** An edit replacing program text [start, end) (inside one script item) by `value`, or undefined when that is not safe. */
export function programEdit(sources: Sources, a: ProgramAnalysis, start: number, end: number, value: string): TextEdit | undefined {
  const part = partAt(a.program, start);
  if (!part) return undefined;
  const s = start - part.start;
  const e = end - part.start;
  if (s < 0 || e > part.item.text.length || e < s) return undefined;
  return itemEdit(sources, part.item, s, e, value);
}

/**
 * An edit adding the script item `value` (written as it is) in front of `item`, on a line of its own;
 * undefined unless `item` is an item of a block sequence written on its own line.
 */
export function itemBefore(sources: Sources, item: ScriptItem, value: string): TextEdit | undefined {
  const text = sources.get(item.file);
  if (text === undefined) return undefined;
  const lineStart = text.lastIndexOf('\n', item.scalar.start - 1) + 1;
  const m = /^( *)- +$/.exec(text.slice(lineStart, item.scalar.start));
  if (!m) return undefined;
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  return { file: item.file, range: [lineStart, lineStart], text: `${m[1]}- ${value}${eol}` };
}

/** A file name for the log of what `name` runs: its last path part, lower case, `[a-z][a-z0-9_-]*`. */
function serviceName(name: string | undefined): string {
  const raw = (name ?? 'service').slice((name ?? '').lastIndexOf('/') + 1).toLowerCase();
  let n = raw.replace(/[^a-z0-9_-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '');
  if (!n) n = 'service';
  return n.slice(0, 40);
}

/**
 * A name for each background statement of the program (`b.cmds[0]`'s command), unique among them and
 * the names in `taken`: `server`, `server-2`, …
 */
export function backgroundName(a: ProgramAnalysis, b: ProgramAnalysis['facts']['backgrounds'][number], taken: ReadonlySet<string> = new Set()): string {
  const names = new Set(taken);
  for (const other of a.facts.backgrounds) {
    const base = serviceName(other.cmds[0]?.name);
    let n = base;
    for (let k = 2; names.has(n); k++) n = `${base}-${k}`;
    if (other === b) return n;
    names.add(n);
  }
  return serviceName(b.cmds[0]?.name);
}
