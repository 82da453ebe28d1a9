import type { Severity } from '../types.js';

/** Static description of a rule: what the registry, docs, config schema and formatters read. */
export interface RuleMeta {
  /** Stable id, e.g. `BG001`. */
  id: string;
  /** Readable name, e.g. `unmanaged-background`; config and suppressions accept either. */
  name: string;
  defaultSeverity: Severity;
  /** One sentence: what the rule reports. */
  summary: string;
  /** Whether `--fix` can repair (some of) its findings. */
  fixable: boolean;
}

/** Where each rule's doc page is published; formatters link every finding to it. */
export const DOCS_BASE = 'https://gitlab.com/ci-bgsafe/ci-bgsafe/-/blob/main/docs/rules';

export function docUrl(id: string): string {
  return `${DOCS_BASE}/${id}.md`;
}
