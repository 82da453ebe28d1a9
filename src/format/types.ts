import type { RuleMeta } from '../rules/types.js';

export interface FormatOptions {
  /** ANSI colours (text format only). The CLI sets it from the TTY and `NO_COLOR`. */
  color?: boolean;
  /** Rule metadata: SARIF lists it under `tool.driver.rules`. */
  rules?: RuleMeta[];
  /** The ci-bgsafe version written into SARIF. */
  toolVersion?: string;
}

export type FormatName = 'text' | 'json' | 'sarif' | 'codequality';
