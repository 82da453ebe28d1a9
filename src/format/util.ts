/** Helpers shared by the formatters: relative paths, source lines, stable ordering. */
import { isAbsolute, relative, resolve, basename } from 'pathe';
import { severityRank, type Diagnostic, type Finding, type LintReport } from '../types.js';

/** `file` relative to `cwd`, with forward slashes. */
export function relativePath(cwd: string, file: string): string {
  // asked once per finding, for a few files: remembered for the last cwd
  if (cwd !== relativeTo) {
    relativeTo = cwd;
    relatives.clear();
  }
  const known = relatives.get(file);
  if (known !== undefined) return known;
  const abs = isAbsolute(file) ? file : resolve(cwd, file);
  const rel: string = relative(cwd, abs) || basename(abs);
  if (relatives.size > 10_000) relatives.clear();
  relatives.set(file, rel);
  return rel;
}
let relativeTo: string | undefined;
const relatives = new Map<string, string>();

/** The text of `file` in the report, looked up as given or resolved against cwd. */
export function sourceOf(report: LintReport, file: string): string | undefined {
  const direct = report.sources.get(file);
  if (direct !== undefined) return direct;
  const abs = resolve(report.cwd, file);
  for (const [key, text] of report.sources) {
    if (resolve(report.cwd, key) === abs) return text;
  }
  return undefined;
}

/** Line `line` (1-based) of `text`, without its line ending; undefined past the end. */
export function lineOf(text: string | undefined, line: number): string | undefined {
  if (text === undefined || line < 1) return undefined;
  if (text !== lastText) {
    lastText = text;
    lastLines = text.split(/\r?\n|\r/);
  }
  return line <= lastLines.length ? lastLines[line - 1] : undefined;
}

// Findings come sorted by file, so remembering the last file's lines avoids splitting it per finding.
let lastText: string | undefined;
let lastLines: string[] = [];

/** Findings in reading order: file, line, column, then rule id. Does not modify its input. */
export function sortFindings(report: LintReport): Finding[] {
  const paths = new Map<string, string>();
  const rel = (file: string) => {
    let p = paths.get(file);
    if (p === undefined) paths.set(file, (p = relativePath(report.cwd, file)));
    return p;
  };
  return [...report.findings].sort(
    (a, b) =>
      compare(rel(a.file), rel(b.file)) ||
      a.line - b.line ||
      a.column - b.column ||
      compare(a.ruleId, b.ruleId) ||
      severityRank(b.severity) - severityRank(a.severity),
  );
}

/** Diagnostics in reading order. Does not modify its input. */
export function sortDiagnostics(cwd: string, list: Diagnostic[]): Diagnostic[] {
  return [...list].sort(
    (a, b) =>
      compare(relativePath(cwd, a.file), relativePath(cwd, b.file)) ||
      a.line - b.line ||
      a.column - b.column ||
      compare(a.code, b.code),
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
