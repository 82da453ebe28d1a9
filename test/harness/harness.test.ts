/**
 * The harness can tell: the naive `cmd &` and the seed blog's recipe HANG it on cancel, like the
 * shell executor (the pipe stays open), while plain jobs finish with the right exit code.
 * The TERM-ignoring background process stands for `sudo openfortivpn` (a root process the runner's
 * TERM cannot reach) and for any service with a slow or missing TERM handler.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { runJob, killAllJobs, wrapBody } from './runner.js';

afterAll(killAllJobs);

/** Ignores TERM from the moment it runs `sleep 1001` (an ignored signal stays ignored across exec). */
const STUBBORN = `sh -c 'trap "" TERM; exec sleep 1001'`;

describe.concurrent('runner-like harness', () => {
  it('wraps the body like the runner (trap exit 1 TERM, errexit, eval in a subshell, exit 0)', () => {
    const w = wrapBody(`echo 'hi'`);
    expect(w).toContain("trap 'exit 1' TERM");
    expect(w).toContain(`( trap 'exit 1' TERM; eval 'echo '\\''hi'\\''' ) < /dev/null`);
    expect(w.trimEnd().endsWith('exit 0')).toBe(true);
  });

  it('reports the exit code and output of a plain job', async () => {
    const ok = runJob({ body: 'echo hello', shell: 'bash' });
    const bad = runJob({ body: 'echo before\nsh -c "exit 3"\necho after', shell: 'dash' });
    const [r1, r2] = await Promise.all([ok.result(), bad.result()]);
    expect(r1).toMatchObject({ exitCode: 0, hung: false });
    expect(r1.output).toBe('hello\n');
    expect(r2.exitCode).toBe(3);
    expect(r2.output).toBe('before\n');
    await Promise.all([ok.cleanup(), bad.cleanup()]);
  });

  it('hangs on a naive `cmd &` even on success (the pipe stays open)', async () => {
    const j = runJob({ body: 'sleep 1000 &\necho done', shell: 'bash', timeoutMs: 3000 });
    const r = await j.result();
    expect(r.hung).toBe(true);
    expect(r.output).toBe('done\n');
    expect(r.leftovers.map((p) => p.cmdline)).toContain('sleep 1000');
    const killed = await j.cleanup();
    expect(killed.length).toBeGreaterThan(0);
    expect(j.leftovers()).toEqual([]);
  });

  it('hangs on a naive `cmd &` when the job is cancelled', async () => {
    const j = runJob({ body: `${STUBBORN} &\necho STARTED\nsleep 1000`, shell: 'bash', timeoutMs: 5000 });
    // STARTED says nothing of the background process: a TERM before its trap is set would end it
    await j.waitForProcess(/^sleep 1001$/);
    j.cancel();
    const r = await j.result();
    expect(r.hung).toBe(true);
    expect(r.leftovers.length).toBeGreaterThan(0);
    await j.cleanup();
    expect(j.leftovers()).toEqual([]);
  });

  it("hangs on the seed blog's recipe (`set -Ee; trap cleanup 1 2 3 6 ERR`) when the job is cancelled", async () => {
    const body = [
      `${STUBBORN} > /dev/null & sleep 1`,
      'VPN=$!',
      'cleanup() {',
      '  echo "trap $1";',
      '  kill "$VPN";',
      '}',
      'set -Ee;',
      'trap cleanup 1 2 3 6 ERR;',
      'echo STARTED',
      'sleep 1000',
    ].join('\n');
    const j = runJob({ body, shell: 'bash', timeoutMs: 6000 });
    await j.waitForOutput(/STARTED/);
    await j.waitForProcess(/^sleep 1001$/);
    j.cancel();
    const r = await j.result();
    expect(r.hung).toBe(true);
    expect(r.output).not.toContain('trap');
    await j.cleanup();
    expect(j.leftovers()).toEqual([]);
  });

  it('finds a job process that escaped into its own session by the environment cookie', async () => {
    const j = runJob({ body: 'setsid sleep 1000 </dev/null >/dev/null 2>&1 &\necho done', shell: 'bash' });
    const r = await j.result();
    expect(r.hung).toBe(false);
    expect(r.exitCode).toBe(0);
    // the job may end before its background process has left the session and run sleep
    await j.waitForProcess(/^sleep 1000$/);
    const escaped = j.leftovers().find((p) => p.cmdline === 'sleep 1000')!;
    expect(escaped.sid).not.toBe(j.pid);
    await j.cleanup();
    expect(j.leftovers()).toEqual([]);
  });
});
