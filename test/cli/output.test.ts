/** How the built command writes its report: to files, pipes, full devices and readers that stop early. */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ci-bgsafe.cjs');
const NONBLOCKING = join(import.meta.dirname, 'nonblocking-stdout.cjs');

describe('the report of the built command', () => {
  // 400 jobs named with emoji: a large JSON report, with astral characters all through it
  const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-out-'));
  const jobs = Array.from({ length: 400 }, (_, i) => `"job 😀 ${i}":\n  tags: [shell]\n  script:\n    - sleep 300 &\n    - echo ${i}\n`);
  writeFileSync(join(dir, '.gitlab-ci.yml'), jobs.join(''));
  const args = [BIN, 'lint', '--no-config', '--format', 'json', '.gitlab-ci.yml'];

  it('is the same in a file and through a pipe, valid JSON with every character intact', () => {
    const piped = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(piped.status).toBe(1);
    const outFile = join(dir, 'report.json');
    const fd = openSync(outFile, 'w');
    const filed = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    expect(filed.status).toBe(1);
    const text = readFileSync(outFile, 'utf8');
    expect(text.length).toBeGreaterThan(3 * 65536);
    expect(text).toBe(piped.stdout);
    const report = JSON.parse(text) as { findings: Array<{ jobs: string[] }> };
    const names = new Set(report.findings.flatMap((f) => f.jobs));
    expect(names.size).toBe(400);
    expect(names.has('job 😀 399')).toBe(true);
    expect(text).not.toContain('\uFFFD');
  });

  it('ends quietly with its own exit code when the reader closes the pipe before anything is written', async () => {
    const child = spawn(process.execPath, args, { cwd: dir });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('ends quietly with its own exit code when the reader stops early', () => {
    const r = spawnSync('bash', ['-c', `"${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')} | head -c 100 >/dev/null; echo "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('1');
    expect(r.stderr).toBe('');
  });

  it('is whole through a pipe that another process left non-blocking and that fills up', () => {
    // the harness does make such a pipe: a plain loop of synchronous writes fails on it
    const control = spawnSync('bash', ['-c', `"${process.execPath}" "${NONBLOCKING}" "${process.execPath}" -e 'const b = Buffer.alloc(1 << 20); let o = 0; try { while (o < b.length) o += require("fs").writeSync(1, b, o); } catch (e) { console.error(e.code); process.exit(9); }' | (sleep 1; cat >/dev/null); echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(control.stderr.trim()).toBe('EAGAIN');
    expect(control.stdout.trim()).toBe('9');

    const outFile = join(dir, 'nonblocking.json');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${NONBLOCKING}" "${process.execPath}" ${args.map((a) => `'${a}'`).join(' ')} | (sleep 1; cat > '${outFile}'); echo "\${PIPESTATUS[0]}"`], { cwd: dir, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('1');
    const direct = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(readFileSync(outFile, 'utf8')).toBe(direct.stdout);
  });

  it.runIf(existsSync('/dev/full'))('fails with exit code 2 and says why when the report cannot be written', () => {
    const fd = openSync('/dev/full', 'w');
    const r = spawnSync(process.execPath, args, { cwd: dir, stdio: ['ignore', fd, 'pipe'], encoding: 'utf8' });
    closeSync(fd);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ci-bgsafe: cannot write the report: ENOSPC/);
  });

  it('is in colour on a terminal, and plain in a file or a pipe', () => {
    const text = ['--format', 'text'];
    // `script` (util-linux) runs the command on a pseudo-terminal and copies what it writes
    const tty = spawnSync('script', ['-qec', `"${process.execPath}" ${[...args, ...text].map((a) => `'${a}'`).join(' ')}`, '/dev/null'], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(tty.stdout).toContain('\u001b[33mwarning\u001b[39m');
    const piped = spawnSync(process.execPath, [...args, ...text], { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    expect(piped.stdout).toContain(' warning ');
    expect(piped.stdout).not.toContain('\u001b[');
    const outFile = join(dir, 'report.txt');
    const fd = openSync(outFile, 'w');
    spawnSync(process.execPath, [...args, ...text], { cwd: dir, stdio: ['ignore', fd, 'pipe'] });
    closeSync(fd);
    expect(readFileSync(outFile, 'utf8')).toBe(piped.stdout);
  });
});

describe('the command in a checkout that was never built', () => {
  it('says what is missing, with exit code 3', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-unbuilt-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(BIN, join(dir, 'bin', 'ci-bgsafe.cjs'));
    const r = spawnSync(process.execPath, [join(dir, 'bin', 'ci-bgsafe.cjs'), 'lint'], { encoding: 'utf8' });
    expect(r.status).toBe(3);
    expect(r.stderr).toBe(`ci-bgsafe: ${join(dir, 'dist', 'cli.cjs')} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
  });
});
