import type { Diagnostic, Finding, Severity } from '../types.js';
import type { RuleMeta } from '../rules/types.js';

/** The result of one lint run: what every formatter takes. */
export interface LintReport {
  findings: Finding[];
  /** Input errors: a file that could not be linted (the CLI exits 2). */
  errors: Diagnostic[];
  /** Non-fatal notes: include not resolved, not fully analysed, unused suppression... */
  notes: Diagnostic[];
  /** Files linted. */
  files: string[];
  /** File -> text, for code frames and fingerprints. */
  sources: Map<string, string>;
  /** Paths in reports are relative to it. */
  cwd: string;
  /**
   * When the run fails, from the configurations that applied to the linted files: the strictest
   * `severityThreshold` and `maxWarnings` among them (command-line options override both).
   */
  settings?: { severityThreshold?: Severity; maxWarnings?: number };
}

export interface FormatOptions {
  /** ANSI colours (text format only). The CLI sets it from the TTY and `NO_COLOR`. */
  color?: boolean;
  /** Rule metadata: SARIF lists it under `tool.driver.rules`. */
  rules?: RuleMeta[];
  /** The ci-bgsafe version written into SARIF. */
  toolVersion?: string;
}

export type FormatName = 'text' | 'json' | 'sarif' | 'codequality';
