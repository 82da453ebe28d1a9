import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { format, FORMATS } from '../../src/format/index.js';
import { makeReport, RULE_METAS } from '../fixtures/format/report.js';
import { expectGolden } from '../golden.js';

const dir = fileURLToPath(new URL('../fixtures/format/', import.meta.url));
const EXT = { text: 'txt', json: 'json', sarif: 'sarif', codequality: 'codequality.json' } as const;

/** Compares with the golden file `expected.NAME` (UPDATE_GOLDEN=1 rewrites it). */
function golden(name: string, actual: string): void {
  expectGolden(`${dir}expected.${name}`, actual);
}

describe('golden outputs of the fixture report', () => {
  for (const name of FORMATS) {
    it(`${name}`, () => {
      golden(EXT[name], format(name, makeReport(), { rules: RULE_METAS, toolVersion: '1.2.3' }));
    });
  }

  it('text with colours', () => {
    golden('color.txt', format('text', makeReport(), { color: true, rules: RULE_METAS }));
  });

  it('does not depend on the order of findings or modify the report', () => {
    const report = makeReport();
    const before = JSON.stringify(report.findings);
    const reversed = { ...report, findings: [...report.findings].reverse() };
    for (const name of FORMATS) {
      expect(format(name, reversed, { rules: RULE_METAS, toolVersion: '1.2.3' })).toBe(
        format(name, report, { rules: RULE_METAS, toolVersion: '1.2.3' }),
      );
    }
    expect(JSON.stringify(report.findings)).toBe(before);
  });

  it('rejects an unknown format by naming the known ones', () => {
    expect(() => format('xml', makeReport())).toThrow('unknown format "xml" (one of: text, json, sarif, codequality)');
  });
});
