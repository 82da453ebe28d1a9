/**
 * The core's host in Node (src/host.ts): files through node:fs and tinyglobby, the parser's WebAssembly
 * beside the bundle (or in node_modules), the generator's templates from the package's templates/gen/.
 */
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import type { Host } from '../host.js';
import { setWasmFlags } from './wasm-flags.js';

/** The two WebAssembly files, by the name the package ships them under in dist/ and their place in node_modules. */
const WASM: Record<string, string> = {
  'web-tree-sitter.wasm': 'web-tree-sitter/web-tree-sitter.wasm',
  'tree-sitter-bash.wasm': 'tree-sitter-bash/tree-sitter-bash.wasm',
};

/** A WebAssembly file beside the bundle (dist/, or dist/ above a chunk) or, from source, in node_modules. */
function locateWasm(name: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    const shipped = join(dir, name);
    if (existsSync(shipped)) return shipped;
  }
  return createRequire(import.meta.url).resolve(WASM[name] ?? name);
}

let rootCache: string | undefined;

/** The package root: the nearest folder above this module holding package.json and templates/gen/ (works from src/ and from a bundled dist/). */
export function packageRoot(): string {
  if (rootCache) return rootCache;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'templates', 'gen'))) {
      rootCache = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('ci-bgsafe: cannot find templates/gen/ above ' + fileURLToPath(import.meta.url));
    dir = up;
  }
}

let versionCache: string | undefined;

export const nodeHost: Host = {
  cwd: () => process.cwd(),
  stat(path) {
    let st;
    try {
      st = statSync(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw e;
    }
    return { isFile: st.isFile(), isDirectory: st.isDirectory(), size: st.size };
  },
  realpath: (path) => realpathSync(path),
  readFile: (path) => readFileSync(path),
  glob: (patterns, { cwd, dot = false, ignore = [] }) =>
    globSync(patterns, { cwd, dot, ignore, absolute: true, onlyFiles: true, followSymbolicLinks: false, expandDirectories: false }),
  parserFiles() {
    // before the first WebAssembly compilation
    setWasmFlags();
    return { locateFile: locateWasm, grammar: readFileSync(locateWasm('tree-sitter-bash.wasm')) };
  },
  template: (name) => readFileSync(join(packageRoot(), 'templates', 'gen', name), 'utf8'),
  version() {
    if (versionCache === undefined) {
      try {
        versionCache = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0';
      } catch {
        versionCache = '0.0.0';
      }
    }
    return versionCache;
  },
};
