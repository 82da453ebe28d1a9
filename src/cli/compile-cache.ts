/**
 * Runs the bundled CLI through a V8 code cache, so that a process does not parse and compile the same
 * JavaScript again on every run (the same idea as Node 22's `module.enableCompileCache()`, which
 * Node 20 lacks for this kind of bundle).
 *
 * The cache is one file per CLI build, Node version and architecture, in a folder of the user's own
 * (`$CI_BGSAFE_CACHE_DIR`, else `$XDG_CACHE_HOME/ci-bgsafe`, else `~/.cache/ci-bgsafe`), or, until
 * that exists, the one the build made beside the bundle; `CI_BGSAFE_NO_CACHE=1` turns both off.
 * It is written after a `lint` run (so it holds the functions linting compiles), atomically, and only
 * read when it is a regular file owned by the current user.
 * V8 checks it against its own version and flags and rejects a stale one; the build's content hash in
 * the file name keeps a changed bundle from ever meeting an old cache. Nothing about the cache can
 * change what the CLI prints or its exit code: every failure here falls back to plain compilation.
 */
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { clearParserMemory, readIntoParserMemory } from '../shell/grammar.js';
import { setWasmFlags } from '../shell/wasm-flags.js';

type Env = Record<string, string | undefined>;

/** The cache folder for `env`, or undefined when caching is off or no folder of the user's is known. */
export function cacheDir(env: Env): string | undefined {
  if (env.CI_BGSAFE_NO_CACHE && env.CI_BGSAFE_NO_CACHE !== '0') return undefined;
  if (env.CI_BGSAFE_CACHE_DIR) return env.CI_BGSAFE_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || (env.HOME ? join(env.HOME, '.cache') : undefined);
  return base ? join(base, 'ci-bgsafe') : undefined;
}

/** The cache file's name for one build of the CLI on this Node version and architecture. */
export function cacheFileName(buildHash: string): string {
  return `cli-${buildHash}-${process.version}-${process.arch}.v8cache`;
}

export interface CacheState {
  /** The cache used, or the one that would be written; undefined when caching is off. */
  file?: string;
  /** 'accepted', 'rejected' (stale or corrupt), 'missing', or 'off'. */
  status: 'accepted' | 'rejected' | 'missing' | 'off';
}

/**
 * Reads the cache if it is a regular file owned by this user, into the parser's memory (see grammar.ts),
 * which is cleared once the cache has been used.
 */
function readCache(file: string): Uint8Array | undefined {
  try {
    const st = lstatSync(file);
    if (!st.isFile()) return undefined;
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return undefined;
    return readIntoParserMemory(file);
  } catch {
    return undefined;
  }
}

/** How many builds' caches a folder keeps (several versions of the tool may share one user's folder). */
const KEPT = 4;
const CACHE_NAME = /^cli-[0-9a-f]+-v[\d.]+-\w+\.v8cache$/;

/** Writes the cache atomically and removes the oldest caches beyond `KEPT`. Never throws. */
function writeCache(file: string, data: Buffer): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${process.pid}-${Date.now()}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    writeFileSync(tmp, data, { mode: 0o600 });
    renameSync(tmp, file);
    const caches = readdirSync(dir)
      .filter((n) => CACHE_NAME.test(n))
      .map((n) => ({ path: join(dir, n), mtime: lstatSync(join(dir, n)).mtimeMs }))
      .sort((a, b) => b.mtime - a.mtime);
    for (const old of caches.slice(KEPT)) if (old.path !== file) unlinkSync(old.path);
  } catch {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
  }
}

/**
 * Loads the CommonJS bundle `bundle` (which runs the CLI and exports `done`, a promise of its end) with
 * the code cache, and writes the cache once the command has finished when it was missing or stale.
 * The file holds the module's function, `(function (exports, require, module, __filename, __dirname)
 * {…})`: its text is compiled as it is read (wrapping it here copied the whole text, ~2 ms).
 */
export function runCachedBundle(bundle: string, buildHash: string, env: Env, argv: string[]): CacheState {
  const compiled = readCachedBundle(bundle, buildHash, env, argv).compile();
  compiled.run();
  return compiled.state;
}

export interface CompiledBundle {
  state: CacheState;
  run: () => void;
}

/**
 * runCachedBundle in three steps: read the bundle and its cache; `compile` it (the cache is checked and
 * deserialised); `run` it. The loader lets the event loop turn between the steps (see start.ts).
 */
export function readCachedBundle(bundle: string, buildHash: string, env: Env, argv: string[]): { compile: () => CompiledBundle } {
  // The cache is only accepted under the V8 flags it was made with: set them before compiling.
  setWasmFlags();
  const dir = cacheDir(env);
  const file = dir ? join(dir, cacheFileName(buildHash)) : undefined;
  let cachedData = file ? readCache(file) : undefined;
  let used = file;
  if (file && !cachedData) {
    // The build leaves a cache beside the bundle, made with the Node version that built it.
    used = join(dirname(bundle), cacheFileName(buildHash));
    cachedData = readCache(used);
    if (!cachedData) used = file;
  }
  const source = readFileSync(bundle, 'utf8');
  const compile = (): CompiledBundle => {
    let script: vm.Script;
    try {
      script = new vm.Script(source, { filename: bundle, cachedData });
    } finally {
      clearParserMemory();
    }
    const state: CacheState = {
      file: used,
      status: !file ? 'off' : !cachedData ? 'missing' : script.cachedDataRejected ? 'rejected' : 'accepted',
    };
    const run = (): void => {
      const mod = { exports: {} as { done?: Promise<void> } };
      const fn = script.runInThisContext() as (e: object, r: NodeRequire, m: object, f: string, d: string) => void;
      fn.call(mod.exports, mod.exports, createRequire(bundle), mod, bundle, dirname(bundle));
      if (file && state.status !== 'accepted' && argv[0] === 'lint' && mod.exports.done) {
        // After the run, so that the functions linting compiled are in the cache too.
        void mod.exports.done.then(() => writeCache(file, script.createCachedData()));
      }
    };
    return { state, run };
  };
  return { compile };
}
