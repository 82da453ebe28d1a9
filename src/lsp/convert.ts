/**
 * From the linter's data to the Language Server Protocol's: ranges, diagnostics, hover text and the
 * edits of quick fixes. Pure: no connection, no files.
 */
import { parseAllDocuments, visit, isScalar, type Scalar } from 'yaml';
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic, type Position, type Range } from 'vscode-languageserver';
import type { Diagnostic, Finding, Severity } from '../types.js';
import { docUrl } from '../rules/types.js';

export const SOURCE = 'ci-bgsafe';

export function severityOf(s: Severity): DiagnosticSeverity {
  return s === 'error' ? DiagnosticSeverity.Error : s === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information;
}

/** The linter's 1-based, end-exclusive span as a 0-based LSP range (both count UTF-16 code units). */
export function findingRange(f: Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn'>): Range {
  return { start: { line: f.line - 1, character: f.column - 1 }, end: { line: f.endLine - 1, character: f.endColumn - 1 } };
}

/** A diagnostic that has only a start: from there to the end of its word (or one character). */
export function pointRange(text: string | undefined, line: number, column: number): Range {
  const start = { line: Math.max(0, line - 1), character: Math.max(0, column - 1) };
  const lineText = text === undefined ? '' : lineAt(text, start.line);
  const rest = lineText.slice(start.character);
  const word = /^\S+/.exec(rest)?.[0].length ?? 0;
  return { start, end: { line: start.line, character: start.character + Math.max(1, word) } };
}

function lineAt(text: string, line: number): string {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return '';
    at = nl + 1;
  }
  const nl = text.indexOf('\n', at);
  return text.slice(at, nl === -1 ? text.length : nl).replace(/\r$/, '');
}

export function findingDiagnostic(f: Finding): LspDiagnostic {
  return {
    range: findingRange(f),
    severity: severityOf(f.severity),
    code: f.ruleId,
    codeDescription: { href: docUrl(f.ruleId) },
    source: SOURCE,
    message: `${f.message} [${f.ruleId}/${f.ruleName}]`,
  };
}

export function inputDiagnostic(d: Diagnostic, text: string | undefined): LspDiagnostic {
  return { range: pointRange(text, d.line, d.column), severity: severityOf(d.severity), code: d.code, source: SOURCE, message: d.message };
}

/** 0-based line and character of a character offset of `text`. */
export function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  const end = Math.min(Math.max(0, offset), text.length);
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: end - lineStart };
}

/** Whether a text starts with a byte order mark. */
export function hasBom(text: string | undefined): boolean {
  return text?.charCodeAt(0) === 0xfeff;
}

/**
 * A position of the linter's (which reads a text without its byte order mark) as the editor counts it,
 * in a document that starts with one: on the first line, one character later.
 */
export function afterBom(p: Position, bom: boolean): Position {
  return bom && p.line === 0 ? { line: 0, character: p.character + 1 } : p;
}

export function rangeAfterBom(r: Range, bom: boolean): Range {
  return bom ? { start: afterBom(r.start, bom), end: afterBom(r.end, bom) } : r;
}

export function contains(r: Range, p: { line: number; character: number }): boolean {
  const after = p.line > r.start.line || (p.line === r.start.line && p.character >= r.start.character);
  const before = p.line < r.end.line || (p.line === r.end.line && p.character <= r.end.character);
  return after && before;
}

export function overlaps(a: Range, b: Range): boolean {
  return contains(a, b.start) || contains(a, b.end) || contains(b, a.start);
}

export const REASON_PLACEHOLDER = 'reason';

/**
 * Where a `# ci-bgsafe-disable-next-line ID -- reason` line can go for a finding on `line` (1-based) so
 * that it is a comment and nothing else: above a line of a `|` block (a shell comment there, unless the
 * line before continues with `\`), or above the line where a plain or quoted scalar starts (a YAML
 * comment). Inside a `>` block or a multi-line quoted scalar a new line would change the command: none.
 */
export function disableLineEdit(text: string, line: number, column: number, ruleId: string): { offset: number; text: string } | undefined {
  const lineStart = offsetOfLine(text, line - 1);
  if (lineStart === undefined) return undefined;
  const at = lineStart + column - 1;
  let scalar: Scalar | undefined;
  try {
    for (const doc of parseAllDocuments(text)) {
      if (!('contents' in doc)) continue;
      visit(doc, {
        Scalar(_k, node) {
          const r = node.range;
          if (r && r[0] <= at && at < r[1]) scalar = node;
        },
      });
      if (scalar) break;
    }
  } catch {
    return undefined;
  }
  if (!scalar || !isScalar(scalar) || !scalar.range) return undefined;
  const lineText = lineAt(text, line - 1);
  const indent = /^[ \t]*/.exec(lineText)![0];
  const comment = (ind: string): string => `${ind}# ci-bgsafe-disable-next-line ${ruleId} -- ${REASON_PLACEHOLDER}\n`;
  if (scalar.type === 'BLOCK_LITERAL') {
    const previous = lineAt(text, line - 2);
    if (line < 2 || /\\\s*$/.test(previous)) return undefined;
    return { offset: lineStart, text: comment(indent) };
  }
  if (scalar.type === 'PLAIN' || scalar.type === 'QUOTE_DOUBLE' || scalar.type === 'QUOTE_SINGLE') {
    const startLine = positionAt(text, scalar.range[0]).line;
    if (startLine !== line - 1) return undefined;
    return { offset: lineStart, text: comment(indent) };
  }
  return undefined;
}

function offsetOfLine(text: string, line: number): number | undefined {
  let at = 0;
  for (let i = 0; i < line; i++) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return undefined;
    at = nl + 1;
  }
  return at;
}

/** The `## How to fix` section of a rule's doc page, with its links made absolute. */
export function howToFix(doc: string, ruleId: string): string | undefined {
  const m = /^## How to fix[^\n]*\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(doc);
  if (!m) return undefined;
  const base = docUrl(ruleId);
  return m[1]!.trim().replace(/\]\((?!https?:|#)([^)\s]+)\)/g, (_all, rel: string) => `](${new URL(rel, base).href})`);
}
