/**
 * Every rule against its fixtures, `test/fixtures/rules/<ID>/{invalid,valid}.yml`. Each job of a
 * fixture is one case, and each line that should get a finding says so in a comment at its end:
 *
 *     - ./server &  # expect: BG001:7
 *
 * `ID:COLUMN` is a finding of that rule starting at this line and column, with the rule's default
 * severity; `ID:COLUMN:SEVERITY` gives another severity (`warning` for BG001 in a docker job). The
 * findings of every rule, not only the fixture's own, must be exactly the expected ones: a missing
 * finding, an extra one (a false alarm of any rule), another column or severity fails. `invalid.yml`
 * has at least three jobs, each reported by its rule; `valid.yml` at least three, none reported by it
 * (look-alikes belong there). See test/fixtures/rules/README.md.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/gitlab/index.js';
import { lint } from '../../src/lint.js';
import { RULES } from '../../src/rules/index.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'rules');
const MIN_CASES = 3;
const SEVERITY = new Map(RULES.map((r) => [r.meta.id, r.meta.defaultSeverity]));

/** A finding as the comments write it: `LINE:COLUMN ID SEVERITY`. */
function show(line: number, column: number, ruleId: string, severity: string): string {
  return `${line}:${column} ${ruleId} ${severity}`;
}

/** The `# expect:` comments of a fixture, one entry per expected finding, in file order. */
function expectations(text: string, name: string): string[] {
  const out: string[] = [];
  text.split('\n').forEach((l, i) => {
    const m = /#\s*expect:(.*)$/.exec(l);
    if (!m) return;
    const tokens = m[1]!.trim().split(/[\s,]+/).filter(Boolean);
    if (!tokens.length) throw new Error(`${name}:${i + 1}: an expect comment names no finding`);
    for (const t of tokens) {
      const x = /^(BG\d{3}):(\d+)(?::(error|warning|info))?$/.exec(t);
      if (!x || !SEVERITY.has(x[1]!)) throw new Error(`${name}:${i + 1}: "${t}" is not ID:COLUMN[:SEVERITY] of a known rule`);
      out.push(show(i + 1, Number(x[2]), x[1]!, x[3] ?? SEVERITY.get(x[1]!)!));
    }
  });
  return out;
}

/** Orders shown findings by line, column and rule. */
function sorted(shown: string[]): string[] {
  const key = (s: string) => s.split(/[: ]/);
  return [...shown].sort((a, b) => {
    const [la, ca, ia] = key(a);
    const [lb, cb, ib] = key(b);
    return Number(la) - Number(lb) || Number(ca) - Number(cb) || ia!.localeCompare(ib!);
  });
}

const runs = new Map<string, ReturnType<typeof lintFixture>>();
const run = (id: string, kind: 'invalid' | 'valid') => {
  const key = `${id}/${kind}`;
  if (!runs.has(key)) runs.set(key, lintFixture(id, kind));
  return runs.get(key)!;
};

async function lintFixture(id: string, kind: 'invalid' | 'valid') {
  const file = join(ROOT, id, `${kind}.yml`);
  const name = relative(process.cwd(), file);
  const text = readFileSync(file, 'utf8');
  const report = await lint([file], { cwd: ROOT, noConfig: true });
  const jobs = loadPipeline(file).jobs.map((j) => j.name);
  return { name, text, report, jobs, findings: report.findings };
}

describe.each(RULES.map((r) => r.meta.id))('%s', (id) => {
  it.each(['invalid', 'valid'] as const)('%s.yml: exactly the findings its comments expect', async (kind) => {
    const { name, text, report, findings } = await run(id, kind);
    expect(report.errors, `${name} loads without errors`).toEqual([]);
    expect(report.notes, `${name} has no notes`).toEqual([]);
    const actual = sorted(findings.map((f) => show(f.line, f.column, f.ruleId, f.severity)));
    expect(actual.join('\n'), name).toBe(sorted(expectations(text, name)).join('\n'));
  });

  it(`invalid.yml: at least ${MIN_CASES} cases, each reported by ${id}`, async () => {
    const { name, jobs, findings } = await run(id, 'invalid');
    expect(jobs.length, `${name}: jobs`).toBeGreaterThanOrEqual(MIN_CASES);
    const reported = new Set(findings.filter((f) => f.ruleId === id).flatMap((f) => f.jobs));
    expect(jobs.filter((j) => !reported.has(j)), `${name}: jobs without a ${id} finding`).toEqual([]);
  });

  it(`valid.yml: at least ${MIN_CASES} cases, none reported by ${id}`, async () => {
    const { name, jobs, findings } = await run(id, 'valid');
    expect(jobs.length, `${name}: jobs`).toBeGreaterThanOrEqual(MIN_CASES);
    expect(findings.filter((f) => f.ruleId === id).map((f) => `${f.line}:${f.column}`), name).toEqual([]);
  });
});

describe('expect comments', () => {
  it('are read as findings at their own line, with the default severity unless one is given', () => {
    const text = 'a:\n  script:\n    - ./x &  # expect: BG001:7 BG009:7:info\n    - echo done\n';
    expect(expectations(text, 't.yml')).toEqual(['3:7 BG001 error', '3:7 BG009 info']);
  });

  it('refuse an unknown rule, a missing column or an empty list', () => {
    expect(() => expectations('- x  # expect: BG999:1\n', 't.yml')).toThrow('t.yml:1: "BG999:1"');
    expect(() => expectations('- x  # expect: BG001\n', 't.yml')).toThrow('t.yml:1: "BG001"');
    expect(() => expectations('- x  # expect:\n', 't.yml')).toThrow('t.yml:1: an expect comment names no finding');
  });
});
