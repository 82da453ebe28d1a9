import { describe, expect, it } from 'vitest';
import { applySuppressions, parseDirectives } from '../src/suppress.js';
import type { Finding } from '../src/types.js';
import type { RuleMeta } from '../src/rules/types.js';

const RULES: RuleMeta[] = [
  { id: 'BG001', name: 'unmanaged-background', defaultSeverity: 'error', summary: 's', fixable: true },
  { id: 'BG002', name: 'orphaned-background', defaultSeverity: 'warning', summary: 's', fixable: false },
  { id: 'BG010', name: 'after-script-shell-state', defaultSeverity: 'info', summary: 's', fixable: false },
];

function f(ruleId: string, line: number, file = 'ci.yml'): Finding {
  const meta = RULES.find((r) => r.id === ruleId)!;
  return {
    ruleId, ruleName: meta.name, severity: meta.defaultSeverity, message: 'm', file,
    line, column: 7, endLine: line, endColumn: 10, jobs: ['job'], section: 'script', fixable: false,
  };
}

function run(text: string, findings: Finding[], more: Record<string, string> = {}) {
  const sources = new Map([['ci.yml', text], ...Object.entries(more)]);
  const { findings: kept, unused } = applySuppressions(findings, sources, RULES);
  return { kept: kept.map((x) => `${x.file}:${x.line} ${x.ruleId}`), unused };
}

describe('applySuppressions', () => {
  it('disable-line suppresses the named rule on its own line (a shell comment in a script item)', () => {
    const text = [
      'job:', //                                                   1
      '  script:', //                                              2
      '    - ./server &  # ci-bgsafe-disable-line BG001', //       3
      '    - ./other &', //                                        4
    ].join('\n');
    const r = run(text, [f('BG001', 3), f('BG002', 3), f('BG001', 4)]);
    expect(r.kept).toEqual(['ci.yml:3 BG002', 'ci.yml:4 BG001']);
    expect(r.unused).toEqual([]);
  });

  it('disable-next-line skips blank and comment lines and accepts names and a reason', () => {
    const text = [
      'job:',
      '  script:',
      '    # ci-bgsafe-disable-next-line unmanaged-background, BG002 -- the runner is docker',
      '',
      '    # start the server',
      '    - ./server &',
      '    - ./other &',
    ].join('\n');
    const r = run(text, [f('BG001', 6), f('BG002', 6), f('BG001', 7)]);
    expect(r.kept).toEqual(['ci.yml:7 BG001']);
    expect(r.unused).toEqual([]);
    const [d] = parseDirectives('ci.yml', text, RULES);
    expect(d).toMatchObject({ kind: 'disable-next-line', line: 3, column: 5, targetLine: 6, reason: 'the runner is docker' });
    expect(d.rules.map((x) => x.id)).toEqual(['BG001', 'BG002']);
  });

  it('disable with ids covers the whole file, without ids every rule', () => {
    const one = run('# ci-bgsafe-disable BG002\na: 1\n', [f('BG001', 2), f('BG002', 2), f('BG002', 40)]);
    expect(one.kept).toEqual(['ci.yml:2 BG001']);
    const all = run('a: 1\n# ci-bgsafe-disable\n', [f('BG001', 1), f('BG010', 9)]);
    expect(all.kept).toEqual([]);
    expect(all.unused).toEqual([]);
  });

  it('only affects findings in the file that holds the comment', () => {
    const r = run('# ci-bgsafe-disable\n', [f('BG001', 3, 'ci.yml'), f('BG001', 3, 'other.yml')], { 'other.yml': 'x: 1\n' });
    expect(r.kept).toEqual(['other.yml:3 BG001']);
  });

  it('reports an unused suppression as info at the rule it names', () => {
    const text = 'job:\n  script:\n    - echo hi  # ci-bgsafe-disable-line BG001, BG002\n';
    const r = run(text, [f('BG001', 3)]);
    expect(r.kept).toEqual([]);
    expect(r.unused).toEqual([
      {
        severity: 'info',
        code: 'unused-suppression',
        message: 'unused ci-bgsafe-disable-line: BG002 is not reported on this line',
        file: 'ci.yml',
        line: 3,
        column: text.split('\n')[2].indexOf('BG002') + 1,
      },
    ]);
  });

  it('reports an unused directive without ids at its #', () => {
    const r = run('a: 1\n  # ci-bgsafe-disable-next-line\nb: 2\n', []);
    expect(r.unused).toEqual([
      expect.objectContaining({ code: 'unused-suppression', line: 2, column: 3, message: 'unused ci-bgsafe-disable-next-line: no problem is reported on line 3' }),
    ]);
  });

  it('warns about an unknown rule and does not suppress with it', () => {
    const text = 'job:\n  script:\n    - ./server &  # ci-bgsafe-disable-line BG999\n';
    const r = run(text, [f('BG001', 3)]);
    expect(r.kept).toEqual(['ci.yml:3 BG001']);
    expect(r.unused).toEqual([
      {
        severity: 'warning',
        code: 'unknown-rule-in-suppression',
        message: 'unknown rule "BG999" in ci-bgsafe-disable-line comment',
        file: 'ci.yml',
        line: 3,
        column: text.split('\n')[2].indexOf('BG999') + 1,
      },
    ]);
  });

  it('ignores text that only looks like a directive', () => {
    const text = [
      'a: "see#ci-bgsafe-disable-line BG001"', // no space before #
      'b: 1 # use ci-bgsafe-disable-line to silence', // not right after #
      'c: 1 # ci-bgsafe-disabled BG001', // another word
    ].join('\n');
    expect(parseDirectives('ci.yml', text, RULES)).toEqual([]);
    expect(run(text, [f('BG001', 1), f('BG001', 2), f('BG001', 3)]).kept).toHaveLength(3);
  });

  it('handles CRLF line endings', () => {
    const r = run('a: 1\r\n# ci-bgsafe-disable-next-line BG001\r\n\r\nb: 2 &\r\n', [f('BG001', 4)]);
    expect(r.kept).toEqual([]);
    expect(r.unused).toEqual([]);
  });

  it('does not modify its input', () => {
    const findings = [f('BG001', 1)];
    run('x & # ci-bgsafe-disable-line BG001\n', findings);
    expect(findings).toHaveLength(1);
  });
});
