/**
 * The job guard (`gen --format guard`), run by the runner-like harness (the runner's wrapper, own
 * process group, piped output, the job over only when the pipe closes) with real processes and
 * signals: bash for `--shell bash`, dash and busybox sh for `--shell sh`.
 *
 * Every leak a job starts runs `sleep` with a number of its own, so that the output can be checked
 * for the process being named and /proc for it being gone.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runJob, killAllJobs, listProcesses, type HarnessShell, type JobHandle } from '../harness/runner.js';
import { generate, type GenShell, type OnLeak } from '../../src/gen/index.js';
import { GRACE_MS, MARGIN_MS, preamble } from './helpers.js';

afterAll(killAllJobs);

const GRACE_S = GRACE_MS / 1000;

function guard(shell: GenShell, onLeak: OnLeak = 'warn'): string {
  return generate({ services: [], grace: GRACE_S }, { format: 'guard', shell, onLeak });
}

/** Five digits of this test process's own, for the numbers of its leaks. */
const RUN = 10_000 + (process.pid % 90_000);

const SHELLS: Array<[HarnessShell, GenShell]> = [
  ['bash', 'bash'],
  ['dash', 'sh'],
  ['busybox', 'sh'],
];

/** Processes (any, not only the job's) whose command line is exactly `cmd`. */
function runningExactly(cmd: string) {
  return listProcesses().filter((p) => p.cmdline === cmd);
}

/** The leak `cmd` is named in the guard's collapsed section, with its PID and run time. */
function expectNamedExactly(output: string, cmd: string) {
  expect(output).toMatch(/section_start:\d+:ci_bgsafe_guard\[collapsed=true\]/);
  expect(output).toMatch(new RegExp(`  pid \\d+, ran \\d+s: ${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}( \\(found by the process group of the job: .*\\))?\\n`));
  expect(output).toMatch(/ci-bgsafe guard: stopped \d+ process\(es\) the job left running/);
}

/**
 * A job whose script ends right after it starts a leak may end before the leak has run its program (the
 * background shell has not exec'd yet): the guard would find and name a copy of the job shell. Such a
 * script waits at GATE until the test has seen its leaks run (`release`).
 */
const GATE = 'while [ ! -f released ]; do sleep 0.05; done';

/** Waits until a process of the job runs each command line of `cmds`, then lets the job go on from GATE. */
async function release(j: JobHandle, ...cmds: string[]): Promise<void> {
  for (const cmd of cmds) await j.waitForProcess(new RegExp(`^${cmd.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`));
  writeFileSync(join(j.projectDir, 'released'), '');
}

/**
 * Waits for the job to end and checks what a runner would see: the pipe closed in time (after the
 * signal sent, or else after the script's WORK line came through the pipe), the exit code, and nothing
 * of the job left.
 */
async function finished(j: JobHandle, { exitCode = 0 as number | null, within = GRACE_MS + MARGIN_MS, signalled = false } = {}) {
  const r = await j.result();
  expect(r.hung, r.output).toBe(false);
  const work = j.outputAt(/WORK/);
  if (!signalled) expect(work, `no WORK line\n${r.output}`).toBeDefined();
  const closedAfter = signalled ? r.pipeClosedAfterMs! : r.pipeClosedAt! - work!;
  expect(closedAfter, `pipe closed ${closedAfter} ms ${signalled ? 'after the signal' : 'after WORK'}\n${r.output}`).toBeLessThan(within);
  if (exitCode !== null) expect(r.exitCode, r.output).toBe(exitCode);
  expect(await j.leftoversAfter(4000)).toEqual([]);
  return r;
}

SHELLS.forEach(([harness, shell], index) => {
  // The bodies name their leaks `sleep 11NN`; each shell's tests, which may run at the same time, get
  // numbers of their own, and so does this test process: `running` looks at every process of the
  // machine, where another run of these scenarios may be going on (sleep RRRRRSNN: RRRRR from this
  // process's id, S the shell).
  const at = (text: string) => text.replace(/\b11(\d\d)\b/g, (_m, d: string) => `${RUN}${index + 1}${d}`);
  const running = (cmd: string) => runningExactly(at(cmd));
  const expectNamed = (output: string, cmd: string) => expectNamedExactly(output, at(cmd));
  const go = (j: JobHandle, ...cmds: string[]) => release(j, ...cmds.map(at));
  const job = (body: string, onLeak: OnLeak = 'warn') =>
    runJob({ body: `${guard(shell, onLeak)}\n${at(body)}`, shell: harness, timeoutMs: 40_000 });

  // One job at a time (the two-jobs test runs two): timings stay meaningful on a busy machine.
  describe(`job guard, --shell ${shell}, under ${harness}`, () => {
    it('a leak that holds the job output: named, stopped, the pipe closes, exit 0', async () => {
      const j = job(`sleep 1101 &\n${GATE}\necho WORK`);
      await go(j, 'sleep 1101');
      const r = await finished(j, { within: GRACE_MS + MARGIN_MS });
      expectNamed(r.output, 'sleep 1101');
      expect(r.output).toContain(at('e.g.: ci_bgsafe_start sleep -- sleep 1101'));
      await j.cleanup();
    });

    it('a redirected leak (no hang, but it would outlive the job): named and stopped', async () => {
      const j = job(`sleep 1102 </dev/null >/dev/null 2>&1 &\n${GATE}\necho WORK`);
      await go(j, 'sleep 1102');
      const r = await finished(j);
      expectNamed(r.output, 'sleep 1102');
      expect(running('sleep 1102')).toEqual([]);
      await j.cleanup();
    });

    it('a double fork (the intermediate process exits at once)', async () => {
      const j = job(`sh -c 'sleep 1103 >/dev/null 2>&1 &'\n${GATE}\necho WORK`);
      await go(j, 'sleep 1103');
      const r = await finished(j);
      expectNamed(r.output, 'sleep 1103');
      await j.cleanup();
    });

    it('a setsid daemon in a session of its own, and a nohup one', async () => {
      const j = job(`setsid sh -c 'exec sleep 1104' </dev/null >/dev/null 2>&1 &\nnohup sleep 1105 >/dev/null 2>&1 &\n${GATE}\necho WORK`);
      await go(j, 'sleep 1104', 'sleep 1105');
      const r = await finished(j);
      expectNamed(r.output, 'sleep 1104');
      expectNamed(r.output, 'sleep 1105');
      expect(running('sleep 1104')).toEqual([]);
      await j.cleanup();
    });

    it('a subshell loop (it never runs a program itself, so only the process group finds it)', async () => {
      const j = job('( while :; do sleep 1; done ) &\necho WORK');
      const r = await finished(j);
      expect(r.output).toMatch(/  pid \d+, ran \d+s: .* \(found by the process group of the job: a subshell, or a busybox applet run without exec\)\n/);
      expect(r.output).toMatch(/ci-bgsafe guard: stopped \d+ process\(es\)/);
      await j.cleanup();
    });

    it('a process that ignores TERM: KILL after the grace period', async () => {
      const j = job(`sh -c 'trap "" TERM; while :; do sleep 1; done' &\n${GATE}\necho WORK`);
      // its first sleep runs after its trap is set: a TERM before that would end it
      await go(j, 'sleep 1');
      const r = await finished(j);
      expect(r.output).toMatch(/still running 2s after TERM, sending KILL/);
      expect(r.output).toMatch(/\(\d+ with KILL\)/);
      // KILL comes a grace period after TERM: timed from the guard's line said just before its TERM, as it
      // came through the pipe, to the pipe closing after the KILL (from the job's start, this held
      // whenever starting the job took two seconds). The margin is for the test process reading that line late.
      const term = j.outputAt(/stopping them \(TERM/)!;
      expect(r.pipeClosedAt! - term).toBeGreaterThanOrEqual(GRACE_MS - 1000);
      await j.cleanup();
    });

    it('a failing job keeps its exit code (set -e), and its leak is stopped', async () => {
      const j = job(`set -e\nsleep 1106 &\n${GATE}\necho WORK\nsh -c 'exit 7'\necho NOT-REACHED`);
      await go(j, 'sleep 1106');
      const r = await finished(j, { exitCode: 7 });
      expect(r.output).not.toContain('NOT-REACHED');
      expectNamed(r.output, 'sleep 1106');
      await j.cleanup();
    });

    it('a job that leaks nothing: no output from the guard, exit 0', async () => {
      const j = job('echo WORK\nsleep 0.1 | cat');
      const r = await finished(j, { within: MARGIN_MS });
      expect(r.output).not.toContain('ci-bgsafe guard');
      await j.cleanup();
    });

    it('cancel (TERM to the job process group): the pipe closes within the grace period, leaks stopped', async () => {
      const j = job('setsid sleep 1107 </dev/null >/dev/null 2>&1 &\nsleep 1108 &\necho WORK\nsleep 300');
      await j.waitForProcess(/^sleep 300$/);
      await j.waitForProcess(new RegExp(`^${at('sleep 1107')}$`));
      j.cancel();
      const r = await finished(j, { exitCode: null, signalled: true });
      expect(r.exitCode).not.toBe(0);
      expectNamed(r.output, 'sleep 1107');
      await j.cleanup();
    });

    it("SIGKILL of the job's process group: the watcher, outside it, names and stops the leaks", async () => {
      const j = job(`setsid sh -c 'exec sleep 1109' </dev/null >/dev/null 2>&1 &\nsleep 1110 </dev/null >/dev/null 2>&1 &\necho WORK\nsleep 300`);
      await j.waitForProcess(/^sleep 300$/);
      await j.waitForProcess(new RegExp(`^${at('sleep 1109')}$`));
      j.kill();
      const r = await finished(j, { exitCode: null, signalled: true });
      expect(r.signal).toBe('SIGKILL');
      expect(r.output).toContain('the job shell is gone');
      expectNamed(r.output, 'sleep 1109');
      expect(running('sleep 1109')).toEqual([]);
      await j.cleanup();
    });

    it('a job that sets its own trap on EXIT: its trap runs, and the watcher still sweeps', async () => {
      const j = job(`trap 'echo MY-TRAP' EXIT\nsleep 1111 &\n${GATE}\necho WORK`);
      await go(j, 'sleep 1111');
      const r = await finished(j);
      expect(r.output).toContain('MY-TRAP');
      expect(r.output).toContain('the job shell is gone');
      expectNamed(r.output, 'sleep 1111');
      await j.cleanup();
    });

    it('on-leak fail: a passing job that leaked fails; one that leaked nothing passes', async () => {
      const leaky = job(`sleep 1112 >/dev/null 2>&1 &\n${GATE}\necho WORK`, 'fail');
      const clean = job('echo WORK', 'fail');
      await go(leaky, 'sleep 1112');
      const r = await finished(leaky, { exitCode: 1 });
      expectNamed(r.output, 'sleep 1112');
      expect(r.output).toContain('failing the job (on-leak: fail)');
      const c = await finished(clean, { exitCode: 0 });
      expect(c.output).not.toContain('ci-bgsafe guard');
      await leaky.cleanup();
      await clean.cleanup();
    });

    it('on-leak fail with a failing job: its own exit code is kept', async () => {
      const j = job(`sleep 1113 >/dev/null 2>&1 &\n${GATE}\necho WORK\nsh -c 'exit 4'`, 'fail');
      await go(j, 'sleep 1113');
      const r = await finished(j, { exitCode: 4 });
      expectNamed(r.output, 'sleep 1113');
      await j.cleanup();
    });

    it('on-leak fail with its own trap on EXIT ending in ci_bgsafe_guard_exit', async () => {
      const j = job(`trap 'rc=$?; echo MY-TRAP; ci_bgsafe_guard_exit "$rc"' EXIT\nsleep 1114 >/dev/null 2>&1 &\n${GATE}\necho WORK`, 'fail');
      await go(j, 'sleep 1114');
      const r = await finished(j, { exitCode: 1 });
      expect(r.output).toContain('MY-TRAP');
      expect(r.output).not.toContain('the job shell is gone');
      expectNamed(r.output, 'sleep 1114');
      await j.cleanup();
    });

    it('two concurrent guarded jobs: each stops only its own leaks; a process started outside any job is left alone', async () => {
      const outside = spawn('sleep', [at('1115')], { detached: true, stdio: 'ignore' });
      try {
        const a = job(`sleep 1116 >/dev/null 2>&1 &\n${GATE}\necho WORK-A`);
        // Job B runs until the test has seen job A end.
        const b = job('sleep 1117 >/dev/null 2>&1 &\nwhile [ ! -f a-is-over ]; do sleep 0.2; done\necho WORK-B');
        // (on a busy machine job B may not have started its leak yet when job A is over)
        await b.waitForProcess(new RegExp(`^${at('sleep 1117')}$`));
        await go(a, 'sleep 1116');
        const ra = await finished(a);
        expectNamed(ra.output, 'sleep 1116');
        expect(ra.output).not.toContain('sleep 1117');
        // Job A is over and swept; job B and its leak are still running.
        expect(running('sleep 1117')).toHaveLength(1);
        writeFileSync(join(b.projectDir, 'a-is-over'), '');
        const rb = await finished(b);
        expectNamed(rb.output, 'sleep 1117');
        expect(running('sleep 1115').map((p) => p.pid)).toEqual([outside.pid]);
        await a.cleanup();
        await b.cleanup();
      } finally {
        outside.kill('SIGKILL');
      }
    });

    it('the guard included twice in one shell starts one watcher', async () => {
      const j = job(`${guard(shell)}\nsleep 1118 >/dev/null 2>&1 &\n${GATE}\necho WORK`);
      await go(j, 'sleep 1118');
      const r = await finished(j);
      expect(r.output.match(/section_start/g)).toHaveLength(1);
      await j.cleanup();
    });

    it('with services of ci_bgsafe_start: their own cleanup stops them first, the guard names only the leak', async () => {
      const body = [
        guard(shell),
        preamble({ services: [] }, shell, 'library'),
        `ci_bgsafe_start api -- sh -c 'exec sleep 1119'`,
        'sleep 1120 >/dev/null 2>&1 &',
        GATE,
        'echo WORK',
      ].join('\n');
      const j = runJob({ body: at(body), shell: harness, timeoutMs: 40_000 });
      await go(j, 'sleep 1119', 'sleep 1120');
      const r = await finished(j);
      expect(r.output).toContain('ci-bgsafe: started api');
      expectNamed(r.output, 'sleep 1120');
      expect(r.output).not.toContain('sleep 1119');
      expect(running('sleep 1119')).toEqual([]);
      await j.cleanup();
    });

    it('with services of ci_bgsafe_start, SIGKILL of the group: both watchers, nothing left', async () => {
      const body = [
        guard(shell),
        preamble({ services: [] }, shell, 'library'),
        `ci_bgsafe_start api -- sh -c 'exec sleep 1121'`,
        'setsid sleep 1122 </dev/null >/dev/null 2>&1 &',
        'echo WORK',
        'sleep 300',
      ].join('\n');
      const j = runJob({ body: at(body), shell: harness, timeoutMs: 40_000 });
      await j.waitForProcess(/^sleep 300$/);
      // sleep 300 may run before the leak started in the background has left the process group
      for (const cmd of ['sleep 1121', 'sleep 1122']) await j.waitForProcess(new RegExp(`^${at(cmd)}$`));
      j.kill();
      const r = await finished(j, { exitCode: null, within: GRACE_MS + MARGIN_MS + 2000, signalled: true });
      expectNamed(r.output, 'sleep 1122');
      expect(running('sleep 1121')).toEqual([]);
      await j.cleanup();
    });
  });
});
