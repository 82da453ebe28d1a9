import type { JobAnalysis, ProgramAnalysis } from '../shell/analysis.js';
import type { Executor, Severity, TextEdit } from '../types.js';
import type { RuleMeta } from './types.js';

/** A finding as a rule reports it: a range in one of the job's programs and a message. */
export interface Report {
  /** Which program the offsets are in: before_script + script (`main`) or `after_script`. */
  program: 'main' | 'after';
  start: number;
  end: number;
  message: string;
  /** Overrides the configured severity for this finding (e.g. softened on an executor where it cannot hang). */
  severity?: Severity;
  suggestion?: string;
  fix?: TextEdit[];
}

export interface RuleContext {
  job: JobAnalysis;
  report(r: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Looks at one job and reports what it finds. Never prints, never throws on odd input. */
  check(ctx: RuleContext): void;
}

export type { JobAnalysis, ProgramAnalysis, Executor };
