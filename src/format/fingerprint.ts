/**
 * Stable fingerprints for findings: a hash of the rule id, the relative path, the text of the
 * finding's source line (trimmed) and its occurrence index among findings with the same three.
 * The line number is left out, so code that moves keeps its fingerprint.
 */
import { crypto } from '../builtin.js';
import type { Finding, LintReport } from '../types.js';
import { lineOf, relativePath, sortFindings, sourceOf } from './util.js';

/** Fingerprints for `sortFindings(report)`, in that order (unique within the report). */
export function fingerprints(report: LintReport): { finding: Finding; fingerprint: string }[] {
  const seen = new Map<string, number>();
  return sortFindings(report).map((finding) => {
    const path = relativePath(report.cwd, finding.file);
    const content = (lineOf(sourceOf(report, finding.file), finding.line) ?? finding.message).trim();
    const base = [finding.ruleId, path, content].join('\u0000');
    const index = seen.get(base) ?? 0;
    seen.set(base, index + 1);
    const fingerprint = crypto().createHash('sha256').update(`${base}\u0000${index}`).digest('hex').slice(0, 32);
    return { finding, fingerprint };
  });
}
