/**
 * The CLI's compile cache: written after a lint run, accepted on the next, and never able to change a
 * run's output: a corrupt, foreign or unwritable cache falls back to plain compilation.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheDir, cacheFileName, runCachedBundle } from '../../src/cli/compile-cache.js';

const ROOT = join(import.meta.dirname, '..', '..');
const VPN = join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml');

/** A CommonJS module's function that counts its runs and, like dist/cli.cjs, exports `done`. */
function bundle(dir: string, body = ''): string {
  const file = join(dir, 'bundle.cjs');
  writeFileSync(
    file,
    `(function (exports, require, module, __filename, __dirname) {globalThis.__cbRuns = (globalThis.__cbRuns ?? 0) + 1;\n${body}\nfunction work(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\nexports.value = work(1000);\nexports.done = Promise.resolve();\n})`,
  );
  return file;
}

const runs = () => (globalThis as { __cbRuns?: number }).__cbRuns ?? 0;
/** Lets the bundle's `done` callbacks (the cache write) run. */
const settle = () => new Promise((r) => setTimeout(r, 10));

describe('runCachedBundle', () => {
  it('writes the cache after a lint run and accepts it on the next', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const file = bundle(dir);
    const env = { CI_BGSAFE_CACHE_DIR: join(dir, 'cache') };
    const before = runs();
    expect(runCachedBundle(file, 'abc123', env, ['lint']).status).toBe('missing');
    await settle();
    const cache = join(dir, 'cache', cacheFileName('abc123'));
    expect(existsSync(cache)).toBe(true);
    expect(readdirSync(join(dir, 'cache')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(runCachedBundle(file, 'abc123', env, ['lint']).status).toBe('accepted');
    expect(runs()).toBe(before + 2);
  });

  it('uses the cache the build left beside the bundle until the user has one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const file = bundle(dir);
    runCachedBundle(file, 'abc123', { CI_BGSAFE_CACHE_DIR: join(dir, 'made') }, ['lint']);
    await settle();
    const beside = join(dir, cacheFileName('abc123'));
    writeFileSync(beside, readFileSync(join(dir, 'made', cacheFileName('abc123'))));
    const env = { CI_BGSAFE_CACHE_DIR: join(dir, 'user') };
    expect(runCachedBundle(file, 'abc123', env, ['lint'])).toEqual({ file: beside, status: 'accepted' });
    await settle();
    expect(existsSync(join(dir, 'user'))).toBe(false);
    // off means off: the build's cache is not read either
    expect(runCachedBundle(file, 'abc123', { ...env, CI_BGSAFE_NO_CACHE: '1' }, ['lint']).status).toBe('off');
  });

  it('does not write after other commands', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const env = { CI_BGSAFE_CACHE_DIR: join(dir, 'cache') };
    expect(runCachedBundle(bundle(dir), 'abc123', env, ['gen']).status).toBe('missing');
    await settle();
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });

  it('runs the bundle and replaces a corrupt cache', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    mkdirSync(join(dir, 'cache'));
    const cache = join(dir, 'cache', cacheFileName('abc123'));
    writeFileSync(cache, Buffer.alloc(4096, 0x5a));
    const env = { CI_BGSAFE_CACHE_DIR: join(dir, 'cache') };
    const before = runs();
    expect(runCachedBundle(bundle(dir), 'abc123', env, ['lint']).status).toBe('rejected');
    expect(runs()).toBe(before + 1);
    await settle();
    expect(readFileSync(cache).equals(Buffer.alloc(4096, 0x5a))).toBe(false);
    expect(runCachedBundle(bundle(dir), 'abc123', env, ['lint']).status).toBe('accepted');
  });

  it('keeps going when the cache folder cannot be made', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    writeFileSync(join(dir, 'cache'), 'a file where the folder should be');
    const env = { CI_BGSAFE_CACHE_DIR: join(dir, 'cache') };
    const before = runs();
    expect(runCachedBundle(bundle(dir), 'abc123', env, ['lint']).status).toBe('missing');
    await settle();
    expect(runs()).toBe(before + 1);
    expect(readFileSync(join(dir, 'cache'), 'utf8')).toBe('a file where the folder should be');
  });

  it('does not read a cache that is a symbolic link', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const file = bundle(dir);
    const good = { CI_BGSAFE_CACHE_DIR: join(dir, 'good') };
    runCachedBundle(file, 'abc123', good, ['lint']);
    await settle();
    mkdirSync(join(dir, 'linked'));
    symlinkSync(join(dir, 'good', cacheFileName('abc123')), join(dir, 'linked', cacheFileName('abc123')));
    expect(runCachedBundle(file, 'abc123', { CI_BGSAFE_CACHE_DIR: join(dir, 'linked') }, ['gen']).status).toBe('missing');
  });

  it('is off with CI_BGSAFE_NO_CACHE and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const env = { CI_BGSAFE_NO_CACHE: '1', CI_BGSAFE_CACHE_DIR: join(dir, 'cache') };
    expect(runCachedBundle(bundle(dir), 'abc123', env, ['lint']).status).toBe('off');
    await settle();
    expect(existsSync(join(dir, 'cache'))).toBe(false);
  });

  it('keeps the caches of the four most recent builds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const cache = join(dir, 'cache');
    mkdirSync(cache);
    const old = ['a1', 'a2', 'a3', 'a4', 'a5'].map((h, i) => {
      const f = join(cache, cacheFileName(h));
      writeFileSync(f, 'old');
      utimesSync(f, 1_000_000 + i, 1_000_000 + i);
      return f;
    });
    writeFileSync(join(cache, 'unrelated.txt'), 'kept');
    runCachedBundle(bundle(dir), 'b1', { CI_BGSAFE_CACHE_DIR: cache }, ['lint']);
    await settle();
    expect(readdirSync(cache).sort()).toEqual(
      [cacheFileName('b1'), ...old.slice(2).map((f) => f.slice(cache.length + 1)), 'unrelated.txt'].sort(),
    );
  });
});

describe('cacheDir', () => {
  it('follows CI_BGSAFE_CACHE_DIR, then XDG_CACHE_HOME, then HOME', () => {
    expect(cacheDir({ CI_BGSAFE_CACHE_DIR: '/x', XDG_CACHE_HOME: '/y', HOME: '/z' })).toBe('/x');
    expect(cacheDir({ XDG_CACHE_HOME: '/y', HOME: '/z' })).toBe(join('/y', 'ci-bgsafe'));
    expect(cacheDir({ HOME: '/z' })).toBe(join('/z', '.cache', 'ci-bgsafe'));
    expect(cacheDir({})).toBeUndefined();
    expect(cacheDir({ HOME: '/z', CI_BGSAFE_NO_CACHE: '1' })).toBeUndefined();
    expect(cacheDir({ HOME: '/z', CI_BGSAFE_NO_CACHE: '0' })).toBe(join('/z', '.cache', 'ci-bgsafe'));
  });
});

describe('the built command with its cache', () => {
  const run = (env: Record<string, string>) =>
    spawnSync(process.execPath, [join(ROOT, 'bin', 'ci-bgsafe.cjs'), 'lint', VPN, '--no-config'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, ...env, CI_BGSAFE_DEBUG: '1' },
    });

  it('stops quietly, with its own exit code, when the reader closes the pipe early (`| head`)', async () => {
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'ci-bgsafe.cjs'), 'lint', VPN, '--no-config'], { cwd: ROOT });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('close', r));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('says what is missing, with exit code 3, in a checkout that was never built', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-unbuilt-'));
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(ROOT, 'bin', 'ci-bgsafe.cjs'), join(dir, 'bin', 'ci-bgsafe.cjs'));
    const unbuilt = spawnSync(process.execPath, [join(dir, 'bin', 'ci-bgsafe.cjs'), 'lint'], { encoding: 'utf8' });
    expect(unbuilt.status).toBe(3);
    expect(unbuilt.stderr).toBe(`ci-bgsafe: ${join(dir, 'dist', 'start.cjs')} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
    // half built: the loader without the CLI
    mkdirSync(join(dir, 'dist'));
    copyFileSync(join(ROOT, 'dist', 'start.cjs'), join(dir, 'dist', 'start.cjs'));
    const half = spawnSync(process.execPath, [join(dir, 'bin', 'ci-bgsafe.cjs'), 'lint'], { encoding: 'utf8' });
    expect(half.status).toBe(3);
    expect(half.stderr).toContain(`${join(dir, 'dist', 'cli.cjs')} is missing`);
  });

  it('prints the same report with the build\'s cache, a corrupt one, its replacement and none', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-cc-'));
    const env = { CI_BGSAFE_CACHE_DIR: dir };
    // The build left a cache for this Node version beside the bundle; the user's folder is empty.
    const shipped = readdirSync(join(ROOT, 'dist')).find((n) => n.endsWith('.v8cache'));
    expect(shipped).toBe(readdirSync(join(ROOT, 'dist')).find((n) => n.endsWith(`-${process.version}-${process.arch}.v8cache`)));
    const first = run(env);
    expect(first.stderr).toContain(`compile cache accepted (${join(ROOT, 'dist', shipped!)})`);
    expect(readdirSync(dir)).toEqual([]);
    // A damaged cache in the user's folder is refused, the run goes on, and a good one replaces it.
    const mine = join(dir, shipped!);
    writeFileSync(mine, Buffer.alloc(100_000, 1));
    const second = run(env);
    expect(second.stderr).toContain(`compile cache rejected (${mine})`);
    expect(readFileSync(mine).equals(Buffer.alloc(100_000, 1))).toBe(false);
    const third = run(env);
    expect(third.stderr).toContain(`compile cache accepted (${mine})`);
    const uncached = run({ CI_BGSAFE_NO_CACHE: '1' });
    expect(uncached.stderr).toContain('compile cache off');
    for (const r of [first, second, third, uncached]) {
      expect(r.status).toBe(1);
      expect(r.stdout).toBe(first.stdout);
    }
    expect(first.stdout).toMatch(/✖ 7 problems/);
  }, 60_000);
});
