/** SARIF 2.1.0: one run, rule metadata for every rule passed in, results with regions. */
import type { Diagnostic, Severity, LintReport } from '../types.js';
import { docUrl, type RuleMeta } from '../rules/types.js';
import type { FormatOptions } from './types.js';
import { fingerprints } from './fingerprint.js';
import { relativePath, sortDiagnostics } from './util.js';

export const SARIF_SCHEMA_URL = 'https://json.schemastore.org/sarif-2.1.0.json';
export const INFORMATION_URI = 'https://gitlab.com/ci-bgsafe/ci-bgsafe';

type Level = 'error' | 'warning' | 'note';
const LEVEL: Record<Severity, Level> = { error: 'error', warning: 'warning', info: 'note' };

function artifactUri(cwd: string, file: string): string {
  return relativePath(cwd, file)
    .split('/')
    .map((segment) => (segment === '..' || segment === '.' ? segment : encodeURIComponent(segment)))
    .join('/');
}

export function toSarif(report: LintReport, opts: FormatOptions = {}): Record<string, unknown> {
  const rules: RuleMeta[] = opts.rules ?? [];
  const index = new Map(rules.map((r, i) => [r.id, i] as const));

  const location = (file: string, region: Record<string, number>) => ({
    physicalLocation: { artifactLocation: { uri: artifactUri(report.cwd, file) }, region },
  });

  const results = fingerprints(report).map(({ finding: f, fingerprint }) => {
    const i = index.get(f.ruleId);
    return {
      ruleId: f.ruleId,
      ...(i === undefined ? {} : { ruleIndex: i }),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [
        location(f.file, { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn }),
      ],
      partialFingerprints: { 'ciBgsafe/v1': fingerprint },
      properties: { jobs: [...f.jobs], section: f.section, fixable: f.fixable },
    };
  });

  const notification = (d: Diagnostic) => ({
    level: LEVEL[d.severity],
    message: { text: d.message },
    descriptor: { id: d.code },
    locations: [location(d.file, { startLine: d.line, startColumn: d.column })],
  });

  return {
    $schema: SARIF_SCHEMA_URL,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'ci-bgsafe',
            version: opts.toolVersion ?? '0.0.0',
            informationUri: INFORMATION_URI,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.summary },
              helpUri: docUrl(r.id),
              defaultConfiguration: { level: LEVEL[r.defaultSeverity] },
              properties: { fixable: r.fixable },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: [
              ...sortDiagnostics(report.cwd, report.errors),
              ...sortDiagnostics(report.cwd, report.notes),
            ].map(notification),
          },
        ],
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function formatSarif(report: LintReport, opts: FormatOptions = {}): string {
  return JSON.stringify(toSarif(report, opts), null, 2) + '\n';
}
