/** The `--shell sh` output under dash and busybox sh (busybox applets first on PATH, as on alpine). */
import { describe, it, expect, afterAll } from 'vitest';
import { runJob, killAllJobs, type HarnessShell } from '../harness/runner.js';
import { freePort, GRACE_MS, MARGIN_MS, preamble, SCENARIO_SERVICES, SVC } from './helpers.js';
import type { ServiceSpec } from '../../src/gen/index.js';

afterAll(killAllJobs);

for (const shell of ['dash', 'busybox'] as HarnessShell[]) {
  const job = (body: string, svc: ServiceSpec[] = SCENARIO_SERVICES) =>
    runJob({ body: `${preamble({ services: svc }, 'sh')}\n${body}`, shell, timeoutMs: 40_000 });

  describe.concurrent(`generated sh preamble under ${shell}`, () => {
    it('on success: exits 0, nothing left', async () => {
      const j = job('echo WORK');
      const r = await j.result();
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('slow is ready');
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('on a failing command: keeps its exit code and shows the logs', async () => {
      const j = job(`echo WORK\nsh -c 'exit 7'\necho NOT-REACHED`);
      const r = await j.result();
      expect(r.exitCode).toBe(7);
      expect(r.output).not.toContain('NOT-REACHED');
      expect(r.output).toMatch(/section_start:\d+:ci_bgsafe_stubborn/);
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('on cancel (SIGTERM to the group): pipe closes within the grace period, nothing left', async () => {
      const j = job('echo WORK\nsleep 300');
      await j.waitForOutput(/WORK/);
      await j.waitForProcess(/^sleep 300$/);
      j.cancel();
      const r = await j.result();
      expect(r.hung).toBe(false);
      expect(r.pipeClosedAfterMs!).toBeLessThan(GRACE_MS + MARGIN_MS);
      expect(r.exitCode).not.toBe(0);
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('on SIGINT to the group: non-zero, nothing left', async () => {
      const j = job('echo WORK\nsleep 300');
      await j.waitForOutput(/WORK/);
      await j.waitForProcess(/^sleep 300$/);
      j.signal('SIGINT');
      const r = await j.result();
      expect(r.hung).toBe(false);
      expect(r.exitCode === null ? r.signal : r.exitCode).not.toBe(0);
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('on SIGKILL of the group: the watcher stops every service', async () => {
      const j = job('echo WORK\nsleep 300');
      await j.waitForOutput(/WORK/);
      await j.waitForProcess(/^sleep 300$/);
      j.kill();
      const r = await j.result();
      expect(r.hung).toBe(false);
      expect(await j.leftoversAfter(GRACE_MS + MARGIN_MS + 2000)).toEqual([]);
      await j.cleanup();
    });

    it('library form: ci_bgsafe_start with an argument vector, ci_bgsafe_stop', async () => {
      const body = [
        preamble({ services: [] }, 'sh', 'library'),
        'for i in 1 2; do',
        `  ci_bgsafe_start "w$i" --ready file:ready.$i -- sh -c 'touch "ready.$0"; exec sleep 1000' "$i"`,
        'done',
        'ci_bgsafe_stop w1',
        '[ ! -f "$CI_PROJECT_DIR/.ci-bgsafe/w1.pid" ] && echo W1-STOPPED',
      ].join('\n');
      const j = runJob({ body, shell, timeoutMs: 30_000 });
      const r = await j.result();
      expect(r.exitCode).toBe(0);
      expect(r.output).toContain('ci-bgsafe: w2 is ready (file:ready.2)');
      expect(r.output).toContain('W1-STOPPED');
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('tcp: and http: probes wait for a real server', async () => {
      const port = await freePort();
      const svc = [
        { name: 'web', command: `sleep 1; exec python3 -m http.server ${port} --bind 127.0.0.1`, ready: `tcp:127.0.0.1:${port}` },
        { name: 'check', command: 'sleep 1000', ready: `http:http://127.0.0.1:${port}/` },
      ];
      const j = job('echo WORK', svc);
      const r = await j.result();
      expect(r.output).toContain(`web is ready (tcp:127.0.0.1:${port})`);
      expect(r.output).toContain(`check is ready (http:http://127.0.0.1:${port}/)`);
      expect(r.exitCode).toBe(0);
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });

    it('a service that dies while the job runs fails the job, naming it', async () => {
      const j = job('echo WORK\nsleep 120\necho NOT-REACHED', [{ name: 'plain', command: SVC.plain }, { name: 'db', command: SVC.diesEarly }]);
      const r = await j.result();
      // within seconds of the job's script starting (from the job's start, it counted starting the shell and the services)
      expect(r.pipeClosedAt! - j.outputAt(/WORK/)!).toBeLessThan(15_000);
      expect(r.exitCode).not.toBe(0);
      expect(r.output).toMatch(/service db exited with status 3 while the job was running/);
      expect(r.output).not.toContain('NOT-REACHED');
      expect(await j.leftoversAfter(4000)).toEqual([]);
      await j.cleanup();
    });
  });
}
