/**
 * The two WebAssembly files behind the bash parser (the tree-sitter runtime and the bash grammar),
 * compiled as early as possible, and the parser's memory.
 *
 * The CLI's loader (dist/start.cjs) starts both compilations before it reads the CLI itself, so that they
 * run on V8's background threads while the CLI starts, reads its options and loads the YAML. The parser
 * then instantiates the compiled modules as they are, without compiling (or even copying) their bytes
 * again. An asynchronous compilation goes on in the background only after one turn of the event loop
 * taken once V8 has decoded its bytes (~1–2 ms): the loader reads the CLI's files first and then lets the
 * loop turn, before the long synchronous step of compiling the CLI. Without that order, compiling the
 * grammar waited for the whole CLI to load and the first parse waited ~30 ms for it.
 *
 * The parser's memory (32 MiB, the size web-tree-sitter asks for) is made early too: a new
 * `WebAssembly.Memory` counts as young memory until two garbage collections have passed, and while it
 * does, every new buffer (a file read, a string's bytes) makes V8 collect at once. Made before the CLI
 * loads, the collections that loading needs anyway age it.
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

export interface GrammarModules {
  runtime: Promise<WebAssembly.Module>;
  bash: Promise<WebAssembly.Module>;
}

/** web-tree-sitter's memory: 512 pages (its INITIAL_MEMORY, 32 MiB) of at most 32,768 (2 GiB). */
export const PARSER_MEMORY = { initial: 512, maximum: 32768 } as const;

/**
 * What is made early, kept until the parser is built. On `globalThis`: the loader and the CLI are two
 * bundles, each with its own copy of this module.
 */
interface Early {
  bytes?: GrammarBytes;
  modules?: GrammarModules;
  memory?: WebAssembly.Memory;
}
const EARLY = Symbol.for('ci-bgsafe.grammar');
const early = ((globalThis as { [EARLY]?: Early })[EARLY] ??= {});

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

/**
 * Starts compiling both files in the background, once. Never throws: a missing or broken file makes
 * both promises reject with its error, which the parser reports when it loads.
 */
export function compileGrammarEarly(): void {
  if (early.modules) return;
  let modules: GrammarModules;
  try {
    setWasmFlags();
    const b = grammarBytes();
    modules = { runtime: WebAssembly.compile(b.runtime), bash: WebAssembly.compile(b.bash) };
  } catch (e) {
    const failed = Promise.reject(e instanceof Error ? e : new Error(String(e)));
    modules = { runtime: failed, bash: failed };
  }
  // Awaited by the parser; until then a failure is not an unhandled rejection.
  modules.runtime.catch(() => undefined);
  modules.bash.catch(() => undefined);
  early.modules = modules;
}

/** The compiled modules (compiling them if nothing has started to). */
export function grammarModules(): GrammarModules {
  compileGrammarEarly();
  return early.modules!;
}

/** The parser's memory, made once. */
export function parserMemory(): WebAssembly.Memory {
  return (early.memory ??= new WebAssembly.Memory(PARSER_MEMORY));
}

/** Lets the bytes, modules and memory go once the parser holds its own. */
export function releaseEarly(): void {
  early.bytes = undefined;
  early.modules = undefined;
  early.memory = undefined;
}
