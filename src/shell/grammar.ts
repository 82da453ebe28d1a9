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
 * The parser's memory (32 MiB, the size web-tree-sitter asks for) is made first, and the files read at
 * start-up (these two, and the CLI's code cache) are read into it: the parser does not use it until it
 * is built, and then fills its first megabytes first (tree-sitter's allocator hands out the start of its
 * heap, to the grammar's 1.2 MB of tables among others). Every page of memory a process touches for the
 * first time costs it a page fault; read into new buffers, these files cost ~2 MB of pages more, ~5 ms
 * on a machine where faults are slow. What is read there is cleared as soon as it has been used, and at
 * the latest before the parser is built, so the parser finds the memory as new.
 * A new `WebAssembly.Memory` also counts as young memory until two garbage collections have passed, and
 * while it does, every new buffer makes V8 collect at once: made before the CLI loads, the collections
 * that loading needs anyway age it.
 */
import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
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
 * What is made early: the bytes (from source only; see grammarBytes), the compilations and the memory.
 * On `globalThis`: the loader and the CLI are two bundles, each with its own copy of this module.
 */
interface Early {
  bytes?: GrammarBytes;
  modules?: GrammarModules;
  memory?: WebAssembly.Memory;
  /** The end of what is read into the memory (from SCRATCH_START). */
  scratchEnd?: number;
  /** The parser has the memory: nothing more is read into it. */
  memoryTaken?: boolean;
}
const EARLY = Symbol.for('ci-bgsafe.grammar');
const early = ((globalThis as { [EARLY]?: Early })[EARLY] ??= {});

/** The two files: their names beside the bundle (dist/), and in node_modules. */
const FILES = {
  runtime: ['tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'],
  bash: ['tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'],
} as const;

/** Finds a WASM file shipped beside the bundle (dist/) or, from source, in node_modules. */
function locate(which: keyof typeof FILES): string {
  const [fileName, packagePath] = FILES[which];
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

/** Where files are read into the parser's memory: past the runtime's static data, where its heap begins. */
const SCRATCH_START = 64 * 1024;

/**
 * A file's bytes, read into the parser's memory while the parser is not built (an ordinary read after).
 * They stay until `clearParserMemory()`: use them at once (V8 copies what it compiles, and a code cache
 * when it reads it).
 */
export function readIntoParserMemory(path: string): Uint8Array<ArrayBuffer> {
  if (early.memoryTaken) return readBytes(path);
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const memory = parserMemory();
    const start = early.scratchEnd ?? SCRATCH_START;
    if (start + size > memory.buffer.byteLength) return readBytes(path);
    const bytes = new Uint8Array(memory.buffer, start, size);
    let read = 0;
    for (let n = -1; read < size && n !== 0; read += n) n = readSync(fd, bytes, read, size - read, null);
    early.scratchEnd = start + ((read + 15) & ~15);
    return bytes.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/** Clears what was read into the parser's memory. */
export function clearParserMemory(): void {
  if (early.scratchEnd === undefined || !early.memory) return;
  new Uint8Array(early.memory.buffer, SCRATCH_START, early.scratchEnd - SCRATCH_START).fill(0);
  early.scratchEnd = undefined;
}

/** Reads both WASM files once (the parser loads the grammar from its bytes when run from source). */
export function grammarBytes(): GrammarBytes {
  return (early.bytes ??= {
    runtime: readBytes(locate('runtime')),
    bash: readBytes(locate('bash')),
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
    const runtime = readIntoParserMemory(locate('runtime'));
    const bash = readIntoParserMemory(locate('bash'));
    // Each call copies its bytes before it returns.
    modules = { runtime: WebAssembly.compile(runtime), bash: WebAssembly.compile(bash) };
    clearParserMemory();
  } catch (e) {
    clearParserMemory();
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

/** The parser's memory for the parser itself: cleared of anything read into it, and never read into again. */
export function takeParserMemory(): WebAssembly.Memory {
  clearParserMemory();
  early.memoryTaken = true;
  return parserMemory();
}

/** Lets the grammar's bytes go once the parser is built. */
export function releaseGrammarBytes(): void {
  early.bytes = undefined;
}
