/** Report formatters: pure functions from a LintReport to the text written out. */
import type { LintReport } from '../types.js';
import type { FormatName, FormatOptions } from './types.js';
import { formatText } from './text.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatCodeQuality } from './codequality.js';

export type { FormatName, FormatOptions } from './types.js';
export type { LintReport } from '../types.js';
export { formatText } from './text.js';
export { formatJson, toJsonReport, type JsonReport, type JsonFinding } from './json.js';
export { formatSarif, toSarif } from './sarif.js';
export { formatCodeQuality, toCodeQuality, type CodeQualityIssue } from './codequality.js';
export { fingerprints } from './fingerprint.js';

export const FORMATS: readonly FormatName[] = ['text', 'json', 'sarif', 'codequality'];

export function isFormatName(name: string): name is FormatName {
  return (FORMATS as readonly string[]).includes(name);
}

/** Formats `report` as `name`; throws an Error naming the known formats for an unknown name. */
export function format(name: string, report: LintReport, opts: FormatOptions = {}): string {
  switch (name) {
    case 'text':
      return formatText(report, opts);
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report, opts);
    case 'codequality':
      return formatCodeQuality(report);
    default:
      throw new Error(`unknown format "${name}" (one of: ${FORMATS.join(', ')})`);
  }
}
