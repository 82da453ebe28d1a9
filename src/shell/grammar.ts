/**
 * The two WebAssembly files behind the bash parser (the tree-sitter runtime and the bash grammar),
 * read and compiled as early as possible: the CLI's loader (dist/start.cjs) starts the compilation
 * before it loads the CLI itself, so that it runs on V8's background threads while the CLI starts, reads
 * its options and loads the YAML. V8 reuses the code compiled from the same bytes when web-tree-sitter
 * compiles them again. An asynchronous compilation needs one turn of the event loop once its bytes are
 * decoded before its background work begins: the loader gives it one before it runs the CLI, and
 * `lint` another before it reads any file (for library callers, and in case the first came too soon).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setWasmFlags } from './wasm-flags.js';

export interface GrammarBytes {
  runtime: Uint8Array<ArrayBuffer>;
  bash: Uint8Array<ArrayBuffer>;
}

/**
 * The bytes and early compilations, kept alive until the parser is built. On `globalThis`: the loader
 * and the CLI are two bundles, each with its own copy of this module.
 */
interface Early {
  bytes?: GrammarBytes;
  compiling: Array<Promise<unknown>>;
}
const EARLY = Symbol.for('ci-bgsafe.grammar');
const early = ((globalThis as { [EARLY]?: Early })[EARLY] ??= { compiling: [] });

/** Finds a WASM file shipped beside the bundle (dist/) or, from source, in node_modules. */
function locate(fileName: string, packagePath: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    const bundled = join(dir, fileName);
    if (existsSync(bundled)) return bundled;
  }
  return createRequire(import.meta.url).resolve(packagePath);
}

/**
 * A file's bytes as a Uint8Array over their own ArrayBuffer. Node reads a file of this size into a buffer
 * of its own: a view avoids copying 1.4 MB (~5 ms, mostly page faults, at every start).
 */
function readBytes(path: string): Uint8Array<ArrayBuffer> {
  const buf = readFileSync(path);
  const own = buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer;
  return own ? new Uint8Array(buf.buffer as ArrayBuffer) : new Uint8Array(buf);
}

/** Reads both WASM files once. */
export function grammarBytes(): GrammarBytes {
  return (early.bytes ??= {
    runtime: readBytes(locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm')),
    bash: readBytes(locate('tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm')),
  });
}

/** Starts compiling both files in the background. Safe to call many times; never throws. */
export function compileGrammarEarly(): void {
  if (early.compiling.length) return;
  try {
    setWasmFlags();
    const b = grammarBytes();
    early.compiling = [WebAssembly.compile(b.runtime), WebAssembly.compile(b.bash)].map((p) => p.catch(() => undefined));
  } catch {
    // the parser reports a missing or broken file itself when it loads
  }
}

/** Lets the early compilations go once the parser holds its own modules. */
export function releaseEarlyCompilations(): void {
  early.compiling = [];
}
