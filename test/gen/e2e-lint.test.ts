/**
 * End to end: a generated job run by gitlab-ci-local (a GitLab CI runner emulator, shell executor),
 * and `ci-bgsafe lint` on jobs that use every generated form.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { generate, type GenSpec } from '../../src/gen/index.js';
import { lint } from '../../src/index.js';
import { findJobProcesses } from '../harness/runner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const dirs: string[] = [];
const cookies: string[] = [];

afterAll(() => {
  for (const c of cookies) {
    for (const p of findJobProcesses(-1, 'CI_BGSAFE_HARNESS_COOKIE', c)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const SPEC: GenSpec = {
  grace: 2,
  services: [
    { name: 'mock', command: `sh -c 'echo mock up; exec sleep 1000'` },
    { name: 'stubborn', command: `sh -c 'trap "" TERM; echo stubborn up; while :; do sleep 1; done'` },
    { name: 'daemon', command: `sh -c 'setsid sleep 1000 </dev/null >/dev/null 2>&1 &'`, onExit: 'ignore' },
  ],
};

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  return new Promise<{ code: number; out: string }>((resolve) => {
    execFile(cmd, args, { cwd, env: { ...process.env, ...env }, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
  });
}

describe('end to end', () => {
  it('gitlab-ci-local runs a generated job (pass and fail) and leaves no process behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-e2e-'));
    dirs.push(dir);
    const job = generate(SPEC, { format: 'job', jobName: 'with-services' });
    const failing = generate(SPEC, { format: 'job', jobName: 'failing' });
    const yml = [
      job.replace(`echo "replace this line with the job's commands"`, 'echo WORK-DONE'),
      failing.replace(`echo "replace this line with the job's commands"`, `sh -c 'exit 7'`).replace(/^# .*\n/gm, ''),
    ].join('\n');
    writeFileSync(join(dir, '.gitlab-ci.yml'), yml);
    const git = (...a: string[]) => run('git', a, dir);
    await git('init', '-q', '-b', 'main');
    await git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
    await git('add', '.');
    await git('-c', 'user.email=ci@example.com', '-c', 'user.name=ci', 'commit', '-qm', 'init');
    const cookie = randomUUID();
    cookies.push(cookie);
    const bin = join(root, 'node_modules/.bin/gitlab-ci-local');
    const r = await run(bin, ['--shell-executor-no-image', '--shell-isolation', '--no-color', '--concurrency', '2'], dir, { CI_BGSAFE_HARNESS_COOKIE: cookie });
    expect(r.out).toMatch(/with-services\s+> WORK-DONE/);
    expect(r.out).toMatch(/with-services\s+> ci-bgsafe: service\(s\) stubborn still running 2s after TERM; sending KILL/);
    expect(r.out).toMatch(/PASS\s+with-services/);
    expect(r.out).toMatch(/FAIL\s+failing/);
    expect(r.out).toMatch(/failing\s+> ci-bgsafe: job failed \(exit code 7\)/);
    expect(r.code).not.toBe(0);
    // Every process the jobs started (services, their children, the daemon, the watchers) is gone.
    let left = findJobProcesses(-1, 'CI_BGSAFE_HARNESS_COOKIE', cookie);
    for (let i = 0; i < 40 && left.length > 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
      left = findJobProcesses(-1, 'CI_BGSAFE_HARNESS_COOKIE', cookie);
    }
    expect(left).toEqual([]);
  }, 120_000);
});

describe('ci-bgsafe lint reports nothing on jobs that use the generated output', () => {
  const cases: Array<[string, string]> = [];
  for (const shell of ['bash', 'sh'] as const) {
    cases.push([`job (${shell})`, generate(SPEC, { format: 'job', shell })]);
    cases.push([
      `reference (${shell})`,
      `${generate(SPEC, { format: 'reference', shell })}\nintegration:\n  script:\n    - !reference [.ci-bgsafe, library]\n    - !reference [.ci-bgsafe, start]\n    - make test\n`,
    ]);
    cases.push([
      `library (${shell})`,
      `loop:\n  script:\n    - |\n${generate({ services: [] }, { format: 'library', shell })
        .split('\n')
        .map((l) => (l ? `      ${l}` : ''))
        .join('\n')}\n    - for i in 1 2; do ci_bgsafe_start "w$i" -- sleep 1000; done\n    - make test\n`,
    ]);
  }
  it('(control: the same linter does report a naive `cmd &`)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lint-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.gitlab-ci.yml'), 'naive:\n  script:\n    - sleep 1000 &\n    - make test\n');
    const report = await lint(['.gitlab-ci.yml'], { cwd: dir, noConfig: true, executor: 'shell' });
    expect(report.findings.length).toBeGreaterThan(0);
  });

  it.each(cases)('%s', async (_name, yml) => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lint-'));
    dirs.push(dir);
    writeFileSync(join(dir, '.gitlab-ci.yml'), yml);
    const report = await lint(['.gitlab-ci.yml'], { cwd: dir, noConfig: true, executor: 'shell' });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
    // Every line of the generated code is read by the bash parser: nothing "not fully analysed".
    expect(report.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual([]);
  });
});
