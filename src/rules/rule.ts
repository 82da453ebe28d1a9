import type { JobAnalysis, ProgramAnalysis } from '../shell/analysis.js';
import type { Executor, Fix, Severity } from '../types.js';
import type { Sources } from './edits.js';
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
  /** A suggested change, for findings that cannot be fixed safely. */
  suggestion?: string;
  /** Edits on `sources` that repair it (rules with `meta.fixable` only), applied by `--fix`. */
  fix?: Fix;
  /** Another repair, in the job guard's style (see `Finding.alternative`); `meta.fixable` rules only. */
  alternative?: Fix;
}

export interface RuleContext {
  job: JobAnalysis;
  /** The texts of the files the pipeline was read from, by path: what a fix's edits are made on. */
  sources: Sources;
  report(r: Report): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Looks at one job and reports what it finds. Never prints, never throws on odd input. */
  check(ctx: RuleContext): void;
}

export type { JobAnalysis, ProgramAnalysis, Executor };
