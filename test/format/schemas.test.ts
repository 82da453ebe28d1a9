import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import AjvDraft04Module from 'ajv-draft-04';
import AjvModule from 'ajv';
import addFormatsModule from 'ajv-formats';
import validateReport from '../../src/generated/report.validate.js';
import { formatCodeQuality, formatJson, formatSarif } from '../../src/format/index.js';
import type { LintReport } from '../../src/types.js';
import { makeReport, RULE_METAS } from '../fixtures/format/report.js';

// CommonJS packages: their ESM default import is module.exports, which carries `.default`.
const AjvDraft04 = AjvDraft04Module.default;
const Ajv = AjvModule.default;
const addFormats = addFormatsModule.default;

const schema = (name: string) => JSON.parse(readFileSync(new URL(`../schemas/${name}`, import.meta.url), 'utf8'));

const ajv04 = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }) // the schema's language pattern is not a valid unicode-mode regexp;
addFormats(ajv04);
const validateSarif = ajv04.compile(schema('sarif-2.1.0-rtm.5.json'));

const ajv07 = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validateCodeQuality = ajv07.compile(schema('codequality.schema.json'));

const empty: LintReport = { findings: [], errors: [], notes: [], files: ['.gitlab-ci.yml'], sources: new Map(), cwd: '/repo' };

describe('outputs validate against their schemas', () => {
  for (const [label, report] of [['fixture report', makeReport()], ['empty report', empty]] as const) {
    it(`json (${label}) against schemas/report.schema.json`, () => {
      const ok = validateReport(JSON.parse(formatJson(report)));
      expect(validateReport.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });

    it(`sarif (${label}) against the official SARIF 2.1.0 schema`, () => {
      const ok = validateSarif(JSON.parse(formatSarif(report, { rules: RULE_METAS, toolVersion: '0.1.0' })));
      expect(validateSarif.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });

    it(`codequality (${label}) against GitLab's documented shape`, () => {
      const text = formatCodeQuality(report);
      expect(text.charCodeAt(0)).not.toBe(0xfeff);
      const ok = validateCodeQuality(JSON.parse(text));
      expect(validateCodeQuality.errors ?? []).toEqual([]);
      expect(ok).toBe(true);
    });
  }

  it('the report schema rejects what the format never writes', () => {
    const json = JSON.parse(formatJson(makeReport()));
    json.findings[0].extra = 1;
    expect(validateReport(json)).toBe(false);
    const zero = JSON.parse(formatJson(makeReport()));
    zero.findings[0].line = 0;
    expect(validateReport(zero)).toBe(false);
  });

  it('the SARIF schema is really checked (a broken log fails)', () => {
    const log = JSON.parse(formatSarif(makeReport(), { rules: RULE_METAS }));
    log.runs[0].results[0].level = 'fatal';
    expect(validateSarif(log)).toBe(false);
  });
});
