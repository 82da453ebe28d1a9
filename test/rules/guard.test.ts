/**
 * The linter knows the job guard: in a job that runs it (through `extends: .ci-bgsafe-guard`,
 * `!reference [.ci-bgsafe-guard, before_script]` or the generated code itself), what the job leaves
 * running is stopped when its script ends, so BG001, BG002 and BG011 become info findings that say so
 * (without a fix: --fix leaves the job as it is) and BG009 goes away; what the guard cannot follow
 * (sudo and other users, containers, system services, a cleared environment) and what starts before
 * it keep their findings. Elsewhere, BG001 suggests the guard.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import { fixText } from '../../src/fix/index.js';
import { generate } from '../../src/gen/index.js';
import { lint, type LintOptions } from '../../src/lint.js';
import { interpolate, readComponent } from '../components/component.js';

const root = join(import.meta.dirname, '..', '..');
const OPTS: LintOptions = { noConfig: true, cwd: root, executor: 'shell' };

async function findings(text: string, options: LintOptions = OPTS) {
  const report = await lint(['-'], { ...options, stdin: { text, name: '.gitlab-ci.yml' } });
  expect(report.errors).toEqual([]);
  return report.findings.map((f) => ({
    rule: f.ruleId,
    line: f.line,
    severity: f.severity,
    jobs: f.jobs.join(','),
    message: f.message,
    suggestion: f.suggestion,
    fixable: f.fixable,
  }));
}

const block = (text: string, indent: number) =>
  text
    .replace(/\n+$/, '')
    .split('\n')
    .map((l) => (l ? ' '.repeat(indent) + l : ''))
    .join('\n');

const guardCode = (shell: 'bash' | 'sh' = 'bash') => generate({ services: [] }, { format: 'guard', shell });
/** A job `t` whose before_script is the generated guard, then `lines` as its script. */
const pasted = (lines: string[], shell: 'bash' | 'sh' = 'bash') =>
  `t:\n  before_script:\n    - |\n${block(guardCode(shell), 6)}\n  script:\n${lines.map((l) => `    - ${l}`).join('\n')}\n`;

const LEAKS = [
  '    - ./mock-server &',
  '    - sleep 1 && make test-prep &',
  '    - setsid ./tunnel </dev/null >/dev/null 2>&1 &',
  '    - ./daemon & disown',
  '    - docker run -d --name db postgres:16',
  '    - sudo ./vpn >/dev/null 2>&1 &',
  '    - make test',
].join('\n');

describe('a job that runs the guard', () => {
  const component = readComponent(join(root, 'templates', 'guard.yml'), 'templates/guard.yml');
  const hidden = interpolate(component).replace(/^---\n/, '');

  it.each([
    ['extends: .ci-bgsafe-guard', `${hidden}\nt:\n  extends: .ci-bgsafe-guard\n  script:\n${LEAKS}\n`],
    ['!reference [.ci-bgsafe-guard, before_script]', `${hidden}\nt:\n  before_script:\n    - !reference [.ci-bgsafe-guard, before_script]\n  script:\n${LEAKS}\n`],
    ['!reference [.ci-bgsafe-guard-sh, before_script]', `${hidden}\nt:\n  image: alpine:3.20\n  before_script:\n    - !reference [.ci-bgsafe-guard-sh, before_script]\n  script:\n${LEAKS}\n`],
    ['the generated code', `t:\n  before_script:\n    - |\n${block(guardCode(), 6)}\n  script:\n${LEAKS}\n`],
    ['the generated code for sh', `t:\n  before_script:\n    - |\n${block(guardCode('sh'), 6)}\n  script:\n${LEAKS}\n`],
  ])('%s: BG001 and BG011 become info that the guard stops it, BG009 goes away; containers and sudo keep theirs', async (_how, text) => {
    const f = (await findings(text)).filter((x) => x.jobs === 't');
    const by = (rule: string) => f.filter((x) => x.rule === rule);
    expect(by('BG009')).toEqual([]);
    const bg001 = by('BG001');
    // mock-server, make test-prep: info; sudo ./vpn: the guard cannot follow it.
    expect(bg001.map((x) => x.severity)).toEqual(['info', 'info', 'error']);
    expect(bg001[0]!.message).toMatch(/`mock-server` runs in the background and nothing in the job stops it: the job guard set up earlier in the job stops it when the script ends/);
    expect(bg001[2]!.message).toMatch(/^`vpn` runs in the background and nothing stops it/);
    const bg011 = by('BG011');
    expect(bg011.map((x) => [x.message.slice(0, 29), x.severity])).toEqual([
      ['`setsid` detaches the process', 'info'],
      ['`disown` detaches the process', 'info'],
      ['`docker run -d` leaves a cont', 'error'],
    ]);
    expect(bg011[0]!.message).toContain('the job guard set up earlier in the job stops it when the script ends');
    // The info findings carry no fix: --fix leaves a guarded job as it is.
    expect(f.filter((x) => x.severity === 'info').every((x) => !x.fixable)).toBe(true);
    // Nothing left that is an error or a warning, but what the guard cannot stop (and BG014: sudo).
    expect(f.filter((x) => x.severity !== 'info').map((x) => `${x.rule}:${x.line - bg001[0]!.line}`)).toEqual(['BG011:4', 'BG001:5', 'BG014:5']);
    expect(bg001[2]!.suggestion).not.toContain('job guard');
  });

  it('BG002: a stop only on success becomes info', async () => {
    const text = pasted(['./mock-server >mock.log 2>&1 &', 'PID=$!', 'make test', 'kill "$PID"']);
    const bg002 = (await findings(text)).filter((x) => x.rule === 'BG002');
    expect(bg002).toHaveLength(1);
    expect(bg002[0]!.severity).toBe('info');
    expect(bg002[0]!.fixable).toBe(false);
    expect(bg002[0]!.message).toMatch(/if a command before it fails, the job guard set up earlier in the job stops it when the script ends/);
  });

  it('a process started before the guard keeps its findings', async () => {
    const text = `t:\n  before_script:\n    - ./early-server &\n    - |\n${block(guardCode('sh'), 6)}\n  script:\n    - make test\n`;
    const f = await findings(text);
    expect(f.filter((x) => x.rule === 'BG001').map((x) => [x.severity, x.fixable])).toEqual([['error', true]]);
    expect(f.filter((x) => x.rule === 'BG009')).toHaveLength(1);
  });

  it.each([
    ['doas ./vpn &', 'BG001'],
    ['runuser -u postgres -- ./db &', 'BG001'],
    ['env -i PATH=/usr/bin ./server &', 'BG001'],
    ['docker run postgres:16 &', 'BG001'],
    ["su postgres -c 'pg_ctl -D /tmp/pg start'", 'BG011'],
    ['systemctl start nginx', 'BG011'],
    ['service redis-server start', 'BG011'],
    ['pg_ctlcluster 16 main start', 'BG011'],
    ['tmux new -d -s work ./server', 'BG011'],
    ['docker compose up -d', 'BG011'],
  ])('what the cookie cannot follow keeps its finding: `%s`', async (line, rule) => {
    const f = (await findings(pasted([line, 'make test']))).filter((x) => x.rule === rule);
    expect(f).toHaveLength(1);
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).not.toContain('job guard');
  });

  it.each([
    ['nohup ./server >server.log 2>&1 &', 'BG011'],
    ['pg_ctl -D /tmp/pg -l pg.log start', 'BG011'],
    ['ssh -f -N -L 5432:db:5432 bastion', 'BG011'],
    ['eval "$(ssh-agent -s)"', 'BG011'],
    ["bash -c 'setsid -f ./server >/dev/null 2>&1'", 'BG011'],
    ['timeout 600 ./server >/dev/null 2>&1 &', 'BG001'],
    ['( while true; do date; sleep 5; done ) >clock.log &', 'BG001'],
  ])('what carries the cookie is stopped by the guard: `%s` is info', async (line, rule) => {
    const f = await findings(pasted([line, 'make test']));
    const mine = f.filter((x) => x.rule === rule);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.severity).toBe('info');
    expect(mine[0]!.message).toContain('the job guard set up earlier in the job stops it');
    expect(f.filter((x) => x.severity !== 'info')).toEqual([]);
  });

  it('a template shared by a guarded and an unguarded job keeps the unguarded job\'s error', async () => {
    const text =
      `.server:\n  script:\n    - ./mock-server &\n    - make test\n\n` +
      `guarded:\n  extends: .server\n  before_script:\n    - |\n${block(guardCode(), 6)}\n\n` +
      `plain:\n  extends: .server\n`;
    const bg001 = (await findings(text)).filter((x) => x.rule === 'BG001');
    expect(bg001.map((x) => [x.severity, x.jobs]).sort()).toEqual([['error', 'plain'], ['info', 'guarded']]);
  });
});

describe('--fix in a job that runs the guard', () => {
  const config = defaultConfig();
  const fix = (text: string) => fixText('.gitlab-ci.yml', text, config, OPTS);

  it('leaves what the guard stops as it is: no library, no ci_bgsafe_start, no redirect', async () => {
    const text = pasted(['./mock-server &', 'nohup ./worker &', 'make test']);
    const fixed = fix(text);
    expect(fixed.applied).toEqual([]);
    expect(fixed.text).toBe(text);
  });

  it('fixes a process started before the guard, with the library before it (both stop their own)', async () => {
    const text = `t:\n  before_script:\n    - ./early-server &\n    - |\n${block(guardCode(), 6)}\n  script:\n    - ./mock-server &\n    - make test\n`;
    const fixed = fix(text);
    expect(fixed.applied.map((x) => x.ruleId)).toContain('BG001');
    expect(fixed.text).toContain('    - !reference [.ci-bgsafe, before_script]\n    - ci_bgsafe_start early-server -- ./early-server\n');
    expect(fixed.text).toContain('    - ci_bgsafe_start mock-server -- ./mock-server\n');
    const after = await findings(fixed.text);
    expect(after.filter((x) => ['BG001', 'BG009', 'BG011'].includes(x.rule))).toEqual([]);
  });
});

describe('a job without the guard', () => {
  it('BG001 suggests the guard as the one-line alternative, and its finding stays an error', async () => {
    const f = await findings('t:\n  script:\n    - ./mock-server &\n    - make test\n');
    const bg001 = f.find((x) => x.rule === 'BG001')!;
    expect(bg001.severity).toBe('error');
    expect(bg001.suggestion).toMatch(/^Start it with `ci_bgsafe_start NAME -- COMMAND…`.*Or, one line for the whole job: put the job guard first \(`- !reference \[\.ci-bgsafe-guard, before_script\]` or `extends: \.ci-bgsafe-guard`/);
    expect(f.some((x) => x.rule === 'BG009')).toBe(true);
  });

  it('a function named like the guard\'s does not make a job guarded', async () => {
    const text = 't:\n  script:\n    - ci_bgsafe_guard_exit() { exit "$1"; }\n    - ./mock-server &\n    - make test\n';
    const f = await findings(text);
    expect(f.filter((x) => x.rule === 'BG001').map((x) => x.severity)).toEqual(['error']);
  });
});

describe('the job guard as a repair', () => {
  const GUARD_STYLE = { ...defaultConfig(), fixStyle: 'guard' as const };
  const guardFix = (text: string) => fixText('.gitlab-ci.yml', text, GUARD_STYLE, { config: GUARD_STYLE, cwd: root, executor: 'shell' });

  it('BG001 and BG009 offer it as the alternative fix: the guard item first in the job, the guard added once', async () => {
    const text = 't:\n  script:\n    - ./mock-server &\n    - make test\n';
    const report = await lint(['-'], { ...OPTS, stdin: { text, name: '.gitlab-ci.yml' } });
    const alt = report.findings.filter((f) => f.alternative).map((f) => [f.ruleId, f.alternative!.guard, f.alternative!.edits.map((e) => e.text)]);
    expect(alt).toEqual([
      ['BG001', 'bash', ['    - !reference [.ci-bgsafe-guard, before_script]\n']],
      ['BG009', 'bash', ['    - !reference [.ci-bgsafe-guard, before_script]\n']],
    ]);
    // The default style keeps ci_bgsafe_start.
    expect(fixText('.gitlab-ci.yml', text, defaultConfig(), OPTS).text).toContain('ci_bgsafe_start mock-server -- ./mock-server');
  });

  it('none where the guard cannot stop the process, in a container job, or where the job may run a guard not read', async () => {
    const alternatives = async (text: string) =>
      (await lint(['-'], { noConfig: true, cwd: root, stdin: { text, name: '.gitlab-ci.yml' } })).findings.filter((f) => f.alternative).map((f) => f.ruleId);
    expect(await alternatives('t:\n  tags: [shell]\n  script:\n    - sudo ./vpn &\n    - make test\n')).toEqual([]);
    expect(await alternatives('t:\n  image: node:20\n  script:\n    - ./mock-server &\n    - make test\n')).toEqual([]);
    expect(await alternatives('t:\n  tags: [shell]\n  extends: .ci-bgsafe-guard\n  script:\n    - ./mock-server &\n    - make test\n')).toEqual([]);
  });

  it('fixStyle: guard puts the guard first in each job and adds its hidden job once, where the guard is not defined yet; the findings become info, and a second --fix changes nothing', async () => {
    const text =
      'unit:\n  tags: [shell]\n  before_script:\n    - npm ci\n  script:\n    - ./mock-server &\n    - setsid ./worker >/dev/null 2>&1 &\n    - make test\n\n' +
      'small:\n  image: alpine:3.20\n  tags: [shell]\n  script:\n    - ./mock-server >/dev/null 2>&1 &\n    - make test\n';
    const fixed = guardFix(text);
    expect(fixed.text).toContain('  before_script:\n    - !reference [.ci-bgsafe-guard, before_script]\n    - npm ci\n');
    // On a shell runner the job's shell is bash, whatever its image.
    expect(fixed.text).toContain('  script:\n    - !reference [.ci-bgsafe-guard, before_script]\n    - ./mock-server >/dev/null 2>&1 &\n');
    expect(fixed.text.match(/^\.ci-bgsafe-guard:\n/gm)).toHaveLength(1);
    // The jobs' own commands are as they were.
    expect(fixed.text).toContain('    - npm ci\n  script:\n    - ./mock-server &\n    - setsid ./worker >/dev/null 2>&1 &\n    - make test\n');
    expect(fixed.text).not.toContain('- ci_bgsafe_start');
    const after = await findings(fixed.text, { config: GUARD_STYLE, cwd: root, executor: 'shell' });
    expect(after.map((f) => `${f.rule}:${f.severity}:${f.jobs}`).sort()).toEqual(['BG001:info:small', 'BG001:info:unit', 'BG011:info:unit']);
    expect(guardFix(fixed.text).text).toBe(fixed.text);
  });

  it('fixStyle: guard makes a finding fixable that only the guard repairs', async () => {
    const text = 't:\n  tags: [shell]\n  script:\n    - ./daemon >/dev/null 2>&1 & disown\n    - make test\n';
    const fixable = async (options: LintOptions) =>
      (await lint(['-'], { ...options, stdin: { text, name: '.gitlab-ci.yml' } })).findings.filter((f) => f.ruleId === 'BG011').map((f) => f.fixable);
    expect(await fixable(OPTS)).toEqual([false]);
    expect(await fixable({ config: GUARD_STYLE, cwd: root, executor: 'shell' })).toEqual([true]);
    expect(guardFix(text).text).toContain('  script:\n    - !reference [.ci-bgsafe-guard, before_script]\n    - ./daemon >/dev/null 2>&1 & disown\n');
  });

  it('fixStyle: guard keeps the library fix where the guard cannot stop the process', async () => {
    const text = `t:\n  tags: [shell]\n  script:\n    - docker run -d --name db postgres:16\n    - make test\n`;
    const fixed = guardFix(text);
    expect(fixed.text).not.toContain('.ci-bgsafe-guard');
  });
});
