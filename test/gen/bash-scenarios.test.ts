/**
 * The generated bash preamble, run by the runner-like harness with real processes and signals.
 * Scenarios run concurrently (each job has its own project dir and process group).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runJob, killAllJobs, listProcesses, waitUntil } from '../harness/runner.js';
import { freePort, GRACE_MS, MARGIN_MS, preamble, SCENARIO_SERVICES, SVC } from './helpers.js';

afterAll(killAllJobs);

function job(body: string, timeoutMs = 40_000) {
  return runJob({ body: `${preamble({ services: SCENARIO_SERVICES })}\n${body}`, shell: 'bash', timeoutMs });
}

describe.concurrent('generated bash preamble with several services', () => {
  it('on success: exits 0, every service stopped (TERM-ignoring one killed), nothing left', async () => {
    const j = job('echo WORK\nsleep 1');
    const r = await j.result();
    expect(r.hung).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ci-bgsafe: slow is ready');
    expect(r.output).toMatch(/stubborn still running 2s after TERM; sending KILL/);
    expect(r.output).not.toContain('section_start');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('on a failing command: keeps its exit code, shows the service logs, nothing left', async () => {
    const j = job(`echo WORK\nsh -c 'exit 7'\necho NOT-REACHED`);
    const r = await j.result();
    expect(r.exitCode).toBe(7);
    expect(r.output).not.toContain('NOT-REACHED');
    expect(r.output).toMatch(/job failed \(exit code 7\); first failed command: sh -c .exit 7. \(exit code 7\)/);
    expect(r.output).toMatch(/section_start:\d+:ci_bgsafe_plain\[collapsed=true\]/);
    expect(r.output).toContain('plain up');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('on a failure inside a function: keeps its exit code', async () => {
    const j = job(`f() {\n  sh -c 'exit 5'\n  echo NOT-REACHED\n}\necho WORK\nf`);
    const r = await j.result();
    expect(r.exitCode).toBe(5);
    expect(r.output).not.toContain('NOT-REACHED');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGABRT'] as const) {
    it(`on ${sig} to the job's process group${sig === 'SIGTERM' ? ' (cancel, timeout)' : ''}: pipe closes within the grace period, non-zero, nothing left`, async () => {
      const j = job('echo WORK\nsleep 300');
      await j.waitForOutput(/WORK/);
      await j.waitForProcess(/^sleep 300$/);
      j.signal(sig);
      const r = await j.result();
      expect(r.hung).toBe(false);
      expect(r.pipeClosedAfterMs!).toBeLessThan(GRACE_MS + MARGIN_MS);
      expect(r.exitCode === null ? r.signal : r.exitCode).not.toBe(0);
      expect(r.output).toContain(`received ${sig}`);
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });
  }

  it('on SIGKILL of the process group: the watcher stops every service within a few seconds', async () => {
    const j = job('echo WORK\nsleep 300');
    await j.waitForOutput(/WORK/);
    await j.waitForProcess(/^sleep 300$/);
    const before = j.leftovers().length;
    expect(before).toBeGreaterThan(5);
    j.kill();
    const r = await j.result();
    expect(r.hung).toBe(false);
    expect(r.signal).toBe('SIGKILL');
    expect(r.pipeClosedAfterMs!).toBeLessThan(MARGIN_MS);
    // The watcher polls every second, then TERM, grace, KILL.
    expect(await j.leftoversAfter(GRACE_MS + MARGIN_MS + 2000)).toEqual([]);
    await j.cleanup();
  });
});

describe.concurrent('liveness and readiness', () => {
  it('a service that dies while the job runs fails the job within seconds, naming it', async () => {
    const body = `${preamble({ services: [{ name: 'plain', command: SVC.plain }, { name: 'db', command: SVC.diesEarly }] })}\necho WORK\nsleep 120\necho NOT-REACHED`;
    const j = runJob({ body, shell: 'bash', timeoutMs: 30_000 });
    const r = await j.result();
    expect(r.hung).toBe(false);
    // within seconds of the job's script starting (from the job's start, it counted starting the shell and the services)
    expect(r.pipeClosedAt! - j.outputAt(/WORK/)!).toBeLessThan(15_000);
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/service db exited with status 3 while the job was running/);
    expect(r.output).toContain('boom: fatal error');
    expect(r.output).not.toContain('NOT-REACHED');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('on-exit ignore: a service that exits does not fail the job; cmd: probes work', async () => {
    const spec = {
      services: [
        { name: 'oneshot', command: `sh -c 'echo migrated > migrated.flag'`, onExit: 'ignore' as const },
        { name: 'plain', command: SVC.plain, ready: 'cmd:test -f migrated.flag' },
      ],
    };
    const j = runJob({ body: `${preamble(spec)}
sleep 3
echo WORK-DONE`, shell: 'bash', timeoutMs: 30_000 });
    const r = await j.result();
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('ci-bgsafe: plain is ready (cmd:test -f migrated.flag)');
    expect(r.output).toContain('WORK-DONE');
    expect(r.output).not.toContain('while the job was running');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('a service that never becomes ready fails the job after --ready-timeout, with its log', async () => {
    const spec = { readyTimeout: 2, services: [{ name: 'plain', command: SVC.plain }, { name: 'licence', command: SVC.neverReady, ready: 'file:never.flag' }] };
    const j = runJob({ body: `${preamble(spec)}\necho NOT-REACHED`, shell: 'bash', timeoutMs: 30_000 });
    const r = await j.result();
    expect(r.exitCode).not.toBe(0);
    expect(r.output).toMatch(/ci-bgsafe: licence did not become ready within 2s \(probe file:never\.flag\)/);
    expect(r.output).toContain('waiting for a licence server that never answers');
    expect(r.output).not.toContain('NOT-REACHED');
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('tcp: and http: probes wait for a real server', async () => {
    const port = await freePort();
    const spec = {
      services: [
        { name: 'web', command: `sleep 1; exec python3 -m http.server ${port} --bind 127.0.0.1`, ready: `tcp:127.0.0.1:${port}` },
        { name: 'check', command: 'sleep 1000', ready: `http:http://127.0.0.1:${port}/` },
      ],
    };
    const j = runJob({ body: `${preamble(spec)}\ncurl -fsS -o /dev/null http://127.0.0.1:${port}/ && echo SERVED`, shell: 'bash', timeoutMs: 30_000 });
    const r = await j.result();
    expect(r.output).toContain(`web is ready (tcp:127.0.0.1:${port})`);
    expect(r.output).toContain('SERVED');
    expect(r.exitCode).toBe(0);
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('stale state from an earlier killed job is cleaned at startup (PID file + cookie)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-stale-'));
    mkdirSync(join(dir, '.ci-bgsafe'));
    const old = spawn('sleep', ['1000'], { detached: true, stdio: 'ignore', env: { ...process.env, CI_BGSAFE_COOKIE: 'old-job.plain' } });
    old.unref();
    try {
      writeFileSync(join(dir, '.ci-bgsafe/plain.pid'), `${old.pid}\n`);
      writeFileSync(join(dir, '.ci-bgsafe/plain.cookie'), 'old-job.plain\n');
      const j = runJob({ body: `${preamble({ services: [{ name: 'plain', command: SVC.plain }] })}\necho WORK`, shell: 'bash', projectDir: dir });
      const r = await j.result();
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('ci-bgsafe: stopping plain left running by an earlier job');
      expect(listProcesses().some((p) => p.pid === old.pid)).toBe(false);
      await j.cleanup();
    } finally {
      try {
        process.kill(old.pid!, 'SIGKILL');
      } catch {
        /* already stopped, as expected */
      }
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stale services are found by their cookie even after the state files were removed (git clean)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-stale-'));
    const sum = execFileSync('sh', ['-c', 'printf %s "$1" | cksum', 'sh', join(dir, '.ci-bgsafe')], { encoding: 'utf8' }).split(' ')[0];
    const env = { ...process.env, CI_BGSAFE_COOKIE: `${sum}.plain.1234-99-1700000000` };
    const old = spawn('sh', ['-c', 'sleep 1000 & exec sleep 1001'], { detached: true, stdio: 'ignore', env });
    const other = spawn('sleep', ['1002'], { detached: true, stdio: 'ignore', env: { ...process.env, CI_BGSAFE_COOKIE: `${sum}.web.1234-99-1700000000` } });
    old.unref();
    other.unref();
    try {
      // the earlier job's service is running when this job starts: its shell has started its child and run sleep 1001
      await waitUntil(() => {
        const ps = listProcesses();
        return ps.some((p) => p.pid === old.pid && p.cmdline === 'sleep 1001') && ps.some((p) => p.cmdline === 'sleep 1000' && p.sid === old.pid);
      }, 'the earlier job runs sleep 1001 and its child sleep 1000');
      const j = runJob({ body: `${preamble({ services: [{ name: 'plain', command: SVC.plain }] })}\necho WORK`, shell: 'bash', projectDir: dir });
      const r = await j.result();
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('ci-bgsafe: stopping plain left running by an earlier job');
      const pids = listProcesses().map((p) => p.pid);
      expect(pids).not.toContain(old.pid);
      expect(listProcesses().some((p) => p.cmdline === 'sleep 1000' && p.sid === old.pid)).toBe(false);
      // Another service's leftovers are not this service's business.
      expect(pids).toContain(other.pid);
      await j.cleanup();
    } finally {
      for (const p of listProcesses().filter((q) => q.sid === old.pid || q.pid === other.pid)) process.kill(p.pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('library form: services started in a loop and stopped one by one', async () => {
    const body = [
      preamble({ services: [] }, 'bash', 'library'),
      'for i in 1 2 3; do',
      `  ci_bgsafe_start "w$i" -- sh -c 'echo "w$0 up"; exec sleep 1000' "$i"`,
      'done',
      'ci_bgsafe_stop w2',
      '[ ! -f "$CI_PROJECT_DIR/.ci-bgsafe/w2.pid" ] && echo W2-STOPPED',
      // Included again (before_script and script both reference it): w1 and w3 are still stopped at the end.
      preamble({ services: [] }, 'bash', 'library'),
      `ci_bgsafe_start w4 -- sleep 1000`,
      'echo WORK',
    ].join('\n');
    const j = runJob({ body, shell: 'bash' });
    const r = await j.result();
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('started w3');
    expect(r.output).toContain('started w4');
    expect(r.output).toContain('W2-STOPPED');
    expect(existsSync(join(j.projectDir, '.ci-bgsafe/w1.pid'))).toBe(false);
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });

  it('the grace period ends by the clock: when each poll takes long, KILL comes on time, not after grace/0.2 polls', async () => {
    // From the first `date +%s` of the stop on, this clock runs 100 s ahead: as if the polls between
    // TERM and KILL had taken that long on a busy runner. With a 30 s grace, counting polls alone
    // would wait 150 polls of 0.2 s (30 s and more).
    const body = [
      preamble({ services: [] }, 'bash', 'library'),
      `ci_bgsafe_start stubborn -- ${SVC.ignoresTerm}`,
      'export REAL_DATE="$(command -v date)" CLOCK_DIR="$CI_PROJECT_DIR/clock"',
      'mkdir -p "$CLOCK_DIR"',
      "cat >\"$CLOCK_DIR/date\" <<'EOF'",
      '#!/bin/sh',
      '[ "$1" = +%s ] || exec "$REAL_DATE" "$@"',
      'n=$(cat "$CLOCK_DIR/calls" 2>/dev/null || echo 0)',
      'echo $((n + 1)) >"$CLOCK_DIR/calls"',
      'now=$("$REAL_DATE" +%s)',
      '[ "$n" -ge 1 ] && now=$((now + 100))',
      'echo "$now"',
      'EOF',
      'chmod +x "$CLOCK_DIR/date"',
      'started=$("$REAL_DATE" +%s)',
      'PATH="$CLOCK_DIR:$PATH" CI_BGSAFE_GRACE=30 ci_bgsafe_stop stubborn',
      'echo "STOPPED after $(( $("$REAL_DATE" +%s) - started ))s"',
    ].join('\n');
    const j = runJob({ body, shell: 'bash', timeoutMs: 60_000 });
    const r = await j.result();
    expect(r.hung).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.output).toContain('stubborn still running 30s after TERM; sending KILL');
    const took = Number(/STOPPED after (\d+)s/.exec(r.output)?.[1]);
    expect(took).toBeLessThan(15);
    expect(await j.leftoversAfter(4000)).toEqual([]);
    await j.cleanup();
  });
});
