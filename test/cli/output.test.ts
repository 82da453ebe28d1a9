/** How the built command writes its report: in pieces, to files, pipes and readers that stop early. */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pieces, writeTo, type Sink, type WriteDeps } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ci-bgsafe.cjs');
const NONBLOCKING = join(import.meta.dirname, 'nonblocking-stdout.cjs');
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('pieces', () => {
  it('gives a short text whole and nothing for an empty one', () => {
    expect([...pieces('abc', 8)]).toEqual(['abc']);
    expect([...pieces('', 8)]).toEqual([]);
  });

  it('cuts a long text into pieces that join to it, each at most the size', () => {
    const text = 'x'.repeat(100) + 'é'.repeat(37);
    const out = [...pieces(text, 16)];
    expect(out.join('')).toBe(text);
    expect(Math.max(...out.map((p) => p.length))).toBeLessThanOrEqual(16);
    expect(out.length).toBe(Math.ceil(text.length / 16));
  });

  it('never cuts between the two halves of a surrogate pair', () => {
    for (let lead = 0; lead < 8; lead++) {
      const text = 'a'.repeat(lead) + '😀🎉'.repeat(20) + 'z';
      const out = [...pieces(text, 8)];
      expect(out.join('')).toBe(text);
      for (const p of out) expect(p, JSON.stringify(p)).not.toMatch(LONE_SURROGATE);
    }
  });
});

/** A descriptor that takes at most `room` bytes per write and fails as told; and the stream behind it. */
function fakeSink(opts: { room?: number; failAfter?: number; code?: string } = {}) {
  const written: Buffer[] = [];
  const streamed: Buffer[] = [];
  const errors: string[] = [];
  let writes = 0;
  const sink: Sink = {
    fd: 1,
    closed: false,
    viaStream: false,
    stream: () => ({ write: (d: string | Uint8Array) => streamed.push(Buffer.from(d)), on: () => undefined }) as unknown as NodeJS.WritableStream,
  };
  const deps: WriteDeps = {
    writeSync: (_fd, data, offset = 0) => {
      if (opts.failAfter !== undefined && writes++ >= opts.failAfter) throw Object.assign(new Error(opts.code ?? 'EIO'), { code: opts.code ?? 'EIO' });
      const bytes = (typeof data === 'string' ? Buffer.from(data) : Buffer.from(data)).subarray(typeof data === 'string' ? 0 : offset);
      const n = Math.min(bytes.length, opts.room ?? Infinity);
      written.push(bytes.subarray(0, n));
      return n;
    },
    onError: (_s, e) => errors.push(e.code ?? ''),
  };
  return { sink, deps, written, streamed, errors };
}

describe('writeTo', () => {
  const text = 'é'.repeat(70000) + '😀'.repeat(30000) + 'z';

  it('writes every byte in order when the descriptor takes a little at a time', () => {
    const f = fakeSink({ room: 1000 });
    writeTo(f.sink, text, f.deps);
    expect(Buffer.concat(f.written).toString('utf8')).toBe(text);
    expect(f.streamed).toEqual([]);
  });

  it('hands the rest to the stream, in order, when the descriptor would block', () => {
    const f = fakeSink({ room: 5000, failAfter: 7, code: 'EAGAIN' });
    writeTo(f.sink, text, f.deps);
    writeTo(f.sink, 'and after', f.deps);
    expect(f.sink.viaStream).toBe(true);
    expect(Buffer.concat([...f.written, ...f.streamed]).toString('utf8')).toBe(`${text}and after`);
    expect(f.written.length).toBe(7);
    expect(f.errors).toEqual([]);
  });

  // a reader that has gone ends the output quietly; any other failure is reported, once
  it.each([
    { code: 'EPIPE', failAfter: 1, writes: 1, errors: [] },
    { code: 'ENOSPC', failAfter: 0, writes: 0, errors: ['ENOSPC'] },
  ])('after $code writes nothing more and reports $errors', ({ code, failAfter, writes, errors }) => {
    const f = fakeSink({ failAfter, code });
    writeTo(f.sink, text, f.deps);
    writeTo(f.sink, 'more', f.deps);
    expect(f.sink.closed).toBe(true);
    expect(f.written.length).toBe(writes);
    expect(f.errors).toEqual(errors);
  });
});

describe('the report of the built command', () => {
  // 400 jobs named with emoji: a JSON report of several pieces, with astral characters in every one
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
