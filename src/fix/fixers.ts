/**
 * Fixers: for a finding of a fixable rule, the text edits on the original YAML source that repair it,
 * or a suggestion when no edit is safe.
 */
import type { Report } from '../rules/rule.js';
import type { JobAnalysis } from '../shell/analysis.js';
import type { SourceRange } from '../shell/program.js';
import type { TextEdit } from '../types.js';

export interface FixResult {
  fix?: TextEdit[];
  suggestion?: string;
}

/** The edits that fix one finding, or a suggestion, or nothing. */
export function fixFor(_ruleId: string, _report: Report, _job: JobAnalysis, _src: SourceRange): FixResult | undefined {
  return undefined;
}
