/**
 * Every rule against its fixtures: `test/fixtures/rules/<ID>/{invalid,valid}.yml`, each with a golden
 * `.out` holding every finding and note the linter reports for it (not only the rule's own), so a
 * false alarm from any rule shows up as a diff. Regenerate with UPDATE_GOLDEN=1 and review the diff.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lint } from '../../src/lint.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'rules');

export async function render(file: string): Promise<{ text: string; ids: string[] }> {
  const report = await lint([file], { cwd: ROOT, noConfig: true });
  const lines = [
    ...report.findings.map(
      (f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.severity} ${f.ruleId}/${f.ruleName} [${f.jobs.join(', ')}] ${f.message}`,
    ),
    ...report.notes.map((n) => `${n.line}:${n.column} note ${n.code}: ${n.message}`),
    ...report.errors.map((e) => `${e.line}:${e.column} error ${e.code}: ${e.message}`),
  ];
  return { text: lines.join('\n') + (lines.length ? '\n' : ''), ids: report.findings.map((f) => f.ruleId) };
}

function golden(path: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN || !existsSync(path)) writeFileSync(path, actual);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}

describe.each(RULES.map((r) => r.meta.id))('%s', (id) => {
  it('reports the invalid fixture', async () => {
    const file = join(ROOT, id, 'invalid.yml');
    const { text, ids } = await render(file);
    expect(ids).toContain(id);
    golden(join(ROOT, id, 'invalid.out'), text);
  });
  it('stays quiet on the valid fixture', async () => {
    const file = join(ROOT, id, 'valid.yml');
    const { text, ids } = await render(file);
    expect(ids).not.toContain(id);
    golden(join(ROOT, id, 'valid.out'), text);
  });
});
