import { describe, expect, it } from 'vitest';
import { format, toCodeQuality, toJsonReport, toSarif } from '../../src/format/index.js';
import type { LintReport } from '../../src/types.js';
import type { Finding } from '../../src/types.js';
import { makeReport, RULE_METAS } from '../fixtures/format/report.js';

const ESC = '\u001b[';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    ruleId: 'BG001',
    ruleName: 'unmanaged-background',
    severity: 'error',
    message: 'background process',
    file: 'ci.yml',
    line: 1,
    column: 1,
    endLine: 1,
    endColumn: 2,
    jobs: ['a', 'b'],
    section: 'script',
    fixable: false,
    ...over,
  };
}

function report(findings: Finding[], text: string, over: Partial<LintReport> = {}): LintReport {
  return { findings, errors: [], notes: [], files: ['ci.yml'], sources: new Map([['ci.yml', text]]), cwd: '/repo', ...over };
}

describe('text', () => {
  it('underlines from column to endColumn and keeps tabs so the caret lines up', () => {
    const out = format('text', report([finding({ line: 2, column: 4, endColumn: 9 })], 'job:\n\t- a & b\n'));
    const lines = out.split('\n');
    expect(lines[0]).toBe('ci.yml:2:4: error background process [BG001/unmanaged-background]');
    expect(lines[1]).toBe(' 2 | \t- a & b');
    expect(lines[2]).toBe('   | \t  ^~~~~');
    expect(lines[3]).toBe('  jobs: a, b');
    expect(lines[4]).toBe('  docs: https://gitlab.com/ci-bgsafe/ci-bgsafe/-/blob/main/docs/rules/BG001.md');
  });

  it('underlines to the end of the line for a finding spanning lines', () => {
    const out = format('text', report([finding({ line: 1, column: 3, endLine: 3, endColumn: 2 })], '- sleep 10 &  \n- x\n- y\n'));
    expect(out.split('\n')[2]).toBe('   |   ^~~~~~~~~~');
  });

  it('still marks a zero-width or out-of-line position with one caret', () => {
    const out = format('text', report([finding({ column: 5, endColumn: 5 })], 'abc\n'));
    expect(out.split('\n')[2]).toBe('   |     ^');
  });

  it('prints no frame when the source is unknown', () => {
    const out = format('text', report([finding()], '', { sources: new Map() }));
    expect(out.split('\n')[1]).toBe('  jobs: a, b');
  });

  it('uses colours only when asked', () => {
    const r = report([finding()], 'x &\n');
    expect(format('text', r, { color: false })).not.toContain(ESC);
    const coloured = format('text', r, { color: true });
    expect(coloured).toContain(`${ESC}31merror`);
  });

  it('summarises a clean run with the number of files linted', () => {
    const r = report([], '', { files: ['a.yml', 'b.yml'] });
    expect(format('text', r)).toBe('✔ no problems in 2 files\n');
    expect(format('text', { ...r, files: ['a.yml'] })).toBe('✔ no problems in 1 file\n');
  });

  it('counts problems by severity with singular and plural words', () => {
    const r = report([finding(), finding({ severity: 'warning', line: 1, column: 2 })], 'x &\n');
    expect(format('text', r).trimEnd().split('\n').pop()).toBe('✖ 2 problems (1 error, 1 warning, 0 info) in 1 file');
  });

  it('prints paths relative to cwd', () => {
    const r = report([finding({ file: '/repo/sub/ci.yml' })], '', { sources: new Map([['/repo/sub/ci.yml', 'x &\n']]) });
    expect(format('text', r)).toMatch(/^sub\/ci\.yml:1:1: /);
  });
});

describe('json', () => {
  it('writes 1-based positions, relative paths and no extra keys', () => {
    const json = toJsonReport(makeReport());
    expect(json.version).toBe(1);
    expect(json.findings[0]).toEqual({
      ruleId: 'BG001',
      ruleName: 'unmanaged-background',
      severity: 'error',
      message: '`npm start &` keeps the job output open: the job hangs until its timeout',
      file: '.gitlab-ci.yml',
      line: 8,
      column: 7,
      endLine: 8,
      endColumn: 18,
      jobs: ['e2e'],
      section: 'before_script',
      fixable: true,
    });
    expect(json.errors.map((e) => e.file)).toEqual(['ci/broken.yml']);
    expect(json.notes.map((n) => n.code)).toEqual(['include-not-resolved']);
  });
});

describe('sarif', () => {
  it('links results to rule metadata by index and maps info to note', () => {
    const log = toSarif(makeReport(), { rules: RULE_METAS }) as any;
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: any) => r.id)).toEqual(['BG001', 'BG002', 'BG010']);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    const info = run.results.find((r: any) => r.ruleId === 'BG010');
    expect(info.level).toBe('note');
    expect(info.locations[0].physicalLocation).toEqual({
      artifactLocation: { uri: 'ci/deploy.yml' },
      region: { startLine: 7, startColumn: 7, endLine: 7, endColumn: 20 },
    });
  });

  it('encodes paths as relative URIs with forward slashes', () => {
    const r = report([finding({ file: '/repo/my ci/a#b.yml' })], '', { sources: new Map() });
    const log = toSarif(r) as any;
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('my%20ci/a%23b.yml');
    expect(log.runs[0].results[0].ruleIndex).toBeUndefined();
  });
});

describe('codequality', () => {
  it('maps severities to GitLab severities', () => {
    const issues = toCodeQuality(makeReport());
    expect(issues.map((i) => [i.check_name, i.severity])).toEqual([
      ['BG001', 'major'],
      ['BG002', 'minor'],
      ['BG001', 'major'],
      ['BG010', 'info'],
    ]);
    expect(issues[0].location).toEqual({ path: '.gitlab-ci.yml', lines: { begin: 8, end: 8 } });
  });

  it('keeps fingerprints when code moves to another line', () => {
    const before = toCodeQuality(report([finding({ line: 2 })], 'job:\n  - npm start &\n'));
    const after = toCodeQuality(report([finding({ line: 4 })], 'job:\n  - echo hi\n  - echo there\n  - npm start &\n'));
    expect(after[0].location.lines.begin).toBe(4);
    expect(after[0].fingerprint).toBe(before[0].fingerprint);
  });

  it('changes fingerprints when the rule, file or line content differs', () => {
    const base = toCodeQuality(report([finding({ line: 2 })], 'job:\n  - npm start &\n'))[0].fingerprint;
    const otherRule = toCodeQuality(report([finding({ line: 2, ruleId: 'BG002' })], 'job:\n  - npm start &\n'))[0].fingerprint;
    const otherText = toCodeQuality(report([finding({ line: 2 })], 'job:\n  - npm run dev &\n'))[0].fingerprint;
    const otherFile = toCodeQuality(
      report([finding({ line: 2, file: 'other.yml' })], '', { sources: new Map([['other.yml', 'job:\n  - npm start &\n']]) }),
    )[0].fingerprint;
    expect(new Set([base, otherRule, otherText, otherFile]).size).toBe(4);
  });

  it('gives identical lines distinct fingerprints (GitLab drops duplicates)', () => {
    const text = 'a:\n  - npm start &\nb:\n  - npm start &\n';
    const issues = toCodeQuality(report([finding({ line: 4 }), finding({ line: 2 })], text));
    expect(issues[0].fingerprint).not.toBe(issues[1].fingerprint);
    // Stable across runs: the same input gives the same fingerprints.
    expect(toCodeQuality(report([finding({ line: 2 }), finding({ line: 4 })], text))).toEqual(issues);
  });
});
