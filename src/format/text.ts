/** Human-readable output: `file:line:col: severity message [ID/name]`, a code frame, jobs and docs. */
import picocolors from 'picocolors';
import type { Diagnostic, Finding, Severity, LintReport } from '../types.js';
import { docUrl } from '../rules/types.js';
import type { FormatOptions } from './types.js';
import { lineOf, relativePath, sortDiagnostics, sortFindings, sourceOf } from './util.js';

type Colors = ReturnType<typeof picocolors.createColors>;

export function formatText(report: LintReport, opts: FormatOptions = {}): string {
  const c = picocolors.createColors(opts.color === true);
  const blocks: string[] = [];

  for (const f of sortFindings(report)) {
    const file = relativePath(report.cwd, f.file);
    const lines = [
      `${file}:${f.line}:${f.column}: ${sev(c, f.severity)} ${f.message} ${c.dim(`[${f.ruleId}/${f.ruleName}]`)}`,
      ...codeFrame(c, sourceOf(report, f.file), f),
    ];
    if (f.jobs.length > 0) lines.push(`  ${c.dim('jobs:')} ${f.jobs.join(', ')}`);
    if (f.suggestion) lines.push(`  ${c.dim('suggestion:')} ${f.suggestion}`);
    lines.push(`  ${c.dim('docs:')} ${docUrl(f.ruleId)}`);
    blocks.push(lines.join('\n'));
  }

  const diags = [...sortDiagnostics(report.cwd, report.errors), ...sortDiagnostics(report.cwd, report.notes)];
  if (diags.length > 0) blocks.push(diags.map((d) => diagnosticLine(c, report.cwd, d)).join('\n'));

  blocks.push(summary(c, report));
  return blocks.join('\n\n') + '\n';
}

function sev(c: Colors, s: Severity): string {
  return s === 'error' ? c.red(s) : s === 'warning' ? c.yellow(s) : c.blue(s);
}

function diagnosticLine(c: Colors, cwd: string, d: Diagnostic): string {
  return `${relativePath(cwd, d.file)}:${d.line}:${d.column}: ${sev(c, d.severity)} ${d.message} ${c.dim(`[${d.code}]`)}`;
}

/**
 * The finding's first source line and a `^~~~` underline from its column to its end column
 * (or to the end of the line when the finding spans several lines). Tabs are kept in the
 * padding so the underline lines up in a terminal.
 */
export function codeFrame(c: Colors, text: string | undefined, f: Pick<Finding, 'line' | 'column' | 'endLine' | 'endColumn' | 'severity'>): string[] {
  const src = lineOf(text, f.line);
  if (src === undefined) return [];
  const start = Math.max(0, f.column - 1);
  const lineEnd = src.replace(/\s+$/, '').length;
  let end = f.endLine === f.line ? f.endColumn - 1 : lineEnd;
  end = Math.min(end, Math.max(lineEnd, start + 1));
  const width = Math.max(1, end - start);
  const pad = src.slice(0, start).replace(/[^\t]/g, ' ') + ' '.repeat(Math.max(0, start - src.length));
  const mark = '^' + '~'.repeat(width - 1);
  const num = String(f.line);
  const gutter = ' '.repeat(num.length);
  const colour = f.severity === 'error' ? c.red : f.severity === 'warning' ? c.yellow : c.blue;
  return [`${c.dim(` ${num} |`)} ${src}`, `${c.dim(` ${gutter} |`)} ${pad}${colour(mark)}`];
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

function summary(c: Colors, report: LintReport): string {
  const counts = { error: 0, warning: 0, info: 0 };
  const files = new Set<string>();
  for (const f of report.findings) {
    counts[f.severity]++;
    files.add(relativePath(report.cwd, f.file));
  }
  for (const d of report.errors) {
    counts[d.severity]++;
    files.add(relativePath(report.cwd, d.file));
  }
  const total = counts.error + counts.warning + counts.info;
  const notes = report.notes.length > 0 ? `, ${plural(report.notes.length, 'note')}` : '';
  if (total === 0) {
    return `${c.green('✔')} no problems in ${plural(report.files.length, 'file')}${notes}`;
  }
  const mark = counts.error > 0 ? c.red('✖') : counts.warning > 0 ? c.yellow('✖') : c.blue('✖');
  const line =
    `${mark} ${plural(total, 'problem')} (${plural(counts.error, 'error')}, ` +
    `${plural(counts.warning, 'warning')}, ${counts.info} info) in ${plural(files.size, 'file')}${notes}`;
  return c.bold(line);
}
