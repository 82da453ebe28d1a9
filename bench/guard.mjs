#!/usr/bin/env node
// What the job guard (`ci-bgsafe gen --format guard`) costs a job that leaks nothing: the same short
// job with and without the guard, run the way GitLab Runner's shell executor runs it (its wrapper
// `( trap 'exit 1' TERM; eval '…' ) < /dev/null`, a process group of its own, stdout and stderr
// piped, the job over only when the pipe closes), in bash, dash and busybox sh.
//   node bench/guard.mjs [--reps N]      (default 30; prints medians and the difference)
// Expects a built package (dist/); `npm run build` builds it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { reps: { type: 'string', default: '30' } } });
if (!/^[1-9]\d*$/.test(values.reps)) {
  process.stderr.write('usage: node bench/guard.mjs [--reps N]\n');
  process.exit(2);
}
const reps = Number(values.reps);
const { generate } = await import(pathToFileURL(join(root, 'dist', 'index.js')).href);

const quote = (s) => `'${s.replace(/'/g, `'\\''`)}'`;
const wrap = (body) => `trap 'exit 1' TERM\nset -o errexit\n( trap 'exit 1' TERM; eval ${quote(body)} ) < /dev/null\nexit 0\n`;

/** Runs one job; resolves with the ms from spawn until its output pipe closed, and its exit status. */
function run(shell, file, dir) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(shell[0], [...shell.slice(1), file], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI_PROJECT_DIR: dir } });
    const closed = (stream) => new Promise((r) => stream.on('data', () => {}).on('close', r));
    const exited = new Promise((r) => child.on('exit', (code) => r(code)));
    child.stderr.on('data', (b) => process.stderr.write(b));
    child.on('error', reject);
    Promise.all([closed(child.stdout), closed(child.stderr)]).then(async () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({ ms, status: await exited });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

const shells = [
  ['bash', ['bash'], 'bash'],
  ['dash', ['dash'], 'sh'],
  ['busybox sh', ['busybox', 'sh'], 'sh'],
];
const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-bench-guard-'));
const job = 'echo building\nsleep 0.1\necho done';
const rows = [];
try {
  for (const [label, argv, genShell] of shells) {
    const plain = join(dir, `plain-${genShell}.sh`);
    const guarded = join(dir, `guarded-${label.replace(/ /g, '-')}.sh`);
    writeFileSync(plain, wrap(job));
    writeFileSync(guarded, wrap(`${await generate({ services: [] }, { format: 'guard', shell: genShell })}\n${job}`));
    const times = { plain: [], guarded: [] };
    for (let i = 0; i < reps; i++) {
      // Alternate, so that a busy moment of the machine weighs on both.
      for (const [kind, file] of [['plain', plain], ['guarded', guarded]]) {
        const r = await run(argv, file, dir);
        if (r.status !== 0) throw new Error(`${label} ${kind}: exit status ${r.status}`);
        times[kind].push(r.ms);
      }
    }
    rows.push([label, median(times.plain), median(times.guarded)]);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(`job guard, a job that leaks nothing (median of ${reps}, ms until the job's output closed):\n`);
process.stdout.write('| shell | without guard | with guard | cost |\n|---|---|---|---|\n');
for (const [label, a, b] of rows) process.stdout.write(`| ${label} | ${a.toFixed(0)} | ${b.toFixed(0)} | ${(b - a).toFixed(0)} |\n`);
