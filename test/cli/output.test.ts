/** How the built command writes its report: in pieces, to files, pipes and readers that stop early. */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pieces } from '../../src/cli/io.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ci-bgsafe.cjs');
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
});
