/**
 * `--sudo`: the sudoers lines pass `visudo -c`, and a service started with sudo is stopped by the
 * whitelisted stop command. Runs only where sudo works without a password (e.g. as root in CI).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from '../../src/gen/index.js';
import { runJob, killAllJobs, listProcesses } from '../harness/runner.js';

function works(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const hasVisudo = works('visudo', ['-V']);
const hasSudo = works('sudo', ['-n', 'true']);
const seconds = 900_000 + Math.floor(Math.random() * 99_999);
const command = `/usr/bin/sleep ${seconds}`;
const spec = { grace: 2, services: [{ name: 'tunnel', command, sudo: true }] };
const running = () => listProcesses().filter((p) => p.cmdline === command);

afterAll(async () => {
  await killAllJobs();
  for (const p of running()) process.kill(p.pid, 'SIGKILL');
});

describe('--sudo', () => {
  it.skipIf(!hasVisudo)('the sudoers output is valid sudoers syntax (visudo -c)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-sudoers-'));
    const file = join(dir, 'ci-bgsafe');
    writeFileSync(file, generate({ services: [{ name: 'vpn', command: '/usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf --set-dns=0', sudo: true }] }, { format: 'sudoers' }));
    const out = execFileSync('visudo', ['-c', '-f', file], { encoding: 'utf8' });
    // with no service: the guard's env_keep line alone
    writeFileSync(file, generate({ services: [] }, { format: 'sudoers' }));
    const guardOnly = execFileSync('visudo', ['-c', '-f', file], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    expect(out).toMatch(/parsed OK/);
    expect(guardOnly).toMatch(/parsed OK/);
  });

  it.skipIf(!hasSudo)('a sudo service is started with the whitelisted line and stopped on cancel', async () => {
    const j = runJob({ body: `${generate(spec)}\necho WORK\nsleep 300`, shell: 'bash', timeoutMs: 30_000 });
    await j.waitForOutput(/WORK/);
    await j.waitForProcess(/^sleep 300$/);
    // sudo starts the service in a process of its own, which may come after the job's next line on a busy machine
    for (let i = 0; i < 150 && running().length === 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(running()).toHaveLength(1);
    j.cancel();
    const r = await j.result();
    expect(r.hung).toBe(false);
    expect(r.exitCode).not.toBe(0);
    for (let i = 0; i < 40 && running().length > 0; i++) await new Promise((res) => setTimeout(res, 100));
    expect(running()).toEqual([]);
    expect(await j.leftoversAfter(3000)).toEqual([]);
    await j.cleanup();
  });
});
