/** GitLab Code Quality report (`artifacts:reports:codequality`): a JSON array of issues. */
import type { Severity, LintReport } from '../types.js';
import { fingerprints } from './fingerprint.js';
import { relativePath } from './util.js';

export type CodeQualitySeverity = 'info' | 'minor' | 'major' | 'critical' | 'blocker';

export interface CodeQualityIssue {
  description: string;
  check_name: string;
  fingerprint: string;
  severity: CodeQualitySeverity;
  location: { path: string; lines: { begin: number; end: number } };
  categories: string[];
}

const SEVERITY: Record<Severity, CodeQualitySeverity> = { error: 'major', warning: 'minor', info: 'info' };

export function toCodeQuality(report: LintReport): CodeQualityIssue[] {
  return fingerprints(report).map(({ finding: f, fingerprint }) => ({
    description: `${f.message} [${f.ruleId}/${f.ruleName}]`,
    check_name: f.ruleId,
    fingerprint,
    severity: SEVERITY[f.severity],
    location: {
      path: relativePath(report.cwd, f.file),
      lines: { begin: f.line, end: Math.max(f.line, f.endLine) },
    },
    categories: ['Bug Risk'],
  }));
}

export function formatCodeQuality(report: LintReport): string {
  return JSON.stringify(toCodeQuality(report), null, 2) + '\n';
}
