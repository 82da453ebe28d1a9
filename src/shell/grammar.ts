/**
 * The two WebAssembly files behind the bash parser (the tree-sitter runtime and the bash grammar),
 * read and compiled as early as possible: the CLI starts the compilation before it parses its options,
 * so that it runs on V8's background threads while the options are read and the YAML is loaded.
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

let bytes: GrammarBytes | undefined;
/** Early compilations, kept alive until the parser is built: V8 reuses code compiled from the same bytes. */
let compiling: Array<Promise<unknown>> = [];

/** Finds a WASM file shipped beside the bundle (dist/) or, from source, in node_modules. */
function locate(fileName: string, packagePath: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    const bundled = join(dir, fileName);
    if (existsSync(bundled)) return bundled;
  }
  return createRequire(import.meta.url).resolve(packagePath);
}

/** Reads both WASM files once. */
export function grammarBytes(): GrammarBytes {
  bytes ??= {
    runtime: new Uint8Array(readFileSync(locate('tree-sitter.wasm', 'web-tree-sitter/tree-sitter.wasm'))),
    bash: new Uint8Array(readFileSync(locate('tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'))),
  };
  return bytes;
}

/** Starts compiling both files in the background. Safe to call many times; never throws. */
export function compileGrammarEarly(): void {
  if (compiling.length) return;
  try {
    setWasmFlags();
    const b = grammarBytes();
    compiling = [WebAssembly.compile(b.runtime), WebAssembly.compile(b.bash)].map((p) => p.catch(() => undefined));
  } catch {
    // the parser reports a missing or broken file itself when it loads
  }
}

/** Lets the early compilations go once the parser holds its own modules. */
export function releaseEarlyCompilations(): void {
  compiling = [];
}
