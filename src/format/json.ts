/** Machine-readable report, version 1; `schemas/report.schema.json` describes it exactly. */
import type { Diagnostic, Finding, LintReport } from '../types.js';
import { relativePath, sortDiagnostics, sortFindings } from './util.js';

/** A finding as the JSON report writes it: everything but the edits and suggestion used by --fix. */
export type JsonFinding = Omit<Finding, 'fix' | 'alternative' | 'suggestion'>;

export interface JsonReport {
  version: 1;
  findings: JsonFinding[];
  errors: Diagnostic[];
  notes: Diagnostic[];
}

export function toJsonReport(report: LintReport): JsonReport {
  const diag = (d: Diagnostic): Diagnostic => ({
    severity: d.severity,
    code: d.code,
    message: d.message,
    file: relativePath(report.cwd, d.file),
    line: d.line,
    column: d.column,
  });
  return {
    version: 1,
    findings: sortFindings(report).map((f) => ({
      ruleId: f.ruleId,
      ruleName: f.ruleName,
      severity: f.severity,
      message: f.message,
      file: relativePath(report.cwd, f.file),
      line: f.line,
      column: f.column,
      endLine: f.endLine,
      endColumn: f.endColumn,
      jobs: [...f.jobs],
      section: f.section,
      fixable: f.fixable,
      ...(f.template !== undefined ? { template: f.template } : {}),
    })),
    errors: sortDiagnostics(report.cwd, report.errors).map(diag),
    notes: sortDiagnostics(report.cwd, report.notes).map(diag),
  };
}

export function formatJson(report: LintReport): string {
  return JSON.stringify(toJsonReport(report), null, 2) + '\n';
}
