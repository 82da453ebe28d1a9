/**
 * A shell program as GitLab runs it: the items of `before_script` + `script` (or of `after_script`)
 * joined into one text, with the means to map any offset back to the item and the YAML source.
 */
import type { ScriptItem, Section } from '../types.js';

export interface ProgramPart {
  item: ScriptItem;
  section: Section;
  /** Offset of the item's first character in the program text. */
  start: number;
}

export interface Program {
  text: string;
  parts: ProgramPart[];
}

export interface SourceRange {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  section: Section;
  item: ScriptItem;
  /** Character indices in the item's text. */
  start: number;
  end: number;
}

/** Joins items with newlines: GitLab writes each item as its own line(s) of one script body. */
export function buildProgram(sections: Array<[Section, ScriptItem[]]>): Program {
  const parts: ProgramPart[] = [];
  let text = '';
  for (const [section, items] of sections) {
    for (const item of items) {
      if (parts.length > 0) text += '\n';
      parts.push({ item, section, start: text.length });
      text += item.text;
    }
  }
  return { text, parts };
}

/** The part holding a program offset (binary search). */
export function partAt(program: Program, offset: number): ProgramPart | undefined {
  const { parts } = program;
  let lo = 0;
  let hi = parts.length - 1;
  let found: ProgramPart | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (parts[mid]!.start <= offset) {
      found = parts[mid];
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Maps a program range to its place in the YAML source; the end is clamped to the start's item. */
export function toSource(program: Program, start: number, end: number): SourceRange | undefined {
  const first = partAt(program, start);
  if (!first) return undefined;
  let part: ProgramPart = first;
  // A range that begins on blank text at the end of an item (the newline between two items, or a
  // folded scalar's own trailing newline: the parser's error recovery makes such nodes) starts in the
  // next item it reaches: never point at the end of an item for a statement written in the next.
  while (blankFrom(part.item.text, start - part.start)) {
    const next: ProgramPart | undefined = program.parts[program.parts.indexOf(part) + 1];
    if (!next || next.start >= end) break;
    start = next.start;
    part = next;
  }
  const len = part.item.text.length;
  let s = Math.min(Math.max(start - part.start, 0), len);
  let e = Math.min(Math.max(end - part.start, s), len);
  // Never end a range on a trailing newline: underline the text itself.
  while (e > s && /\s/.test(part.item.text[e - 1]!)) e--;
  // Nor start it on whitespace (a statement the parser recovered from may begin with some).
  while (s < e && /\s/.test(part.item.text[s]!)) s++;
  const a = part.item.locate(s);
  // The end is just after the last character, where that character is written (not where the next
  // one, possibly a closing quote or the next line, happens to be).
  const last = e > s ? part.item.locate(e - 1) : a;
  return {
    file: part.item.file,
    line: a.line,
    column: a.column,
    endLine: last.line,
    endColumn: last.column + 1,
    section: part.section,
    item: part.item,
    start: s,
    end: e,
  };
}

/** Whether `text` holds only white space from index `i` on. */
function blankFrom(text: string, i: number): boolean {
  for (let k = Math.max(i, 0); k < text.length; k++) if (!/\s/.test(text[k]!)) return false;
  return true;
}
