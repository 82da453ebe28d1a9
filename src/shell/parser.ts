/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process through
 * web-tree-sitter's documented API.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';
import { setWasmFlags } from './wasm-flags.js';

export type { Node, Tree, TreeCursor };

/** The two WebAssembly files, by the name the package ships them under in dist/ and their place in node_modules. */
const WASM = {
  'web-tree-sitter.wasm': 'web-tree-sitter/web-tree-sitter.wasm',
  'tree-sitter-bash.wasm': 'tree-sitter-bash/tree-sitter-bash.wasm',
} as const;

/** A WebAssembly file beside the bundle (dist/, or dist/ above a chunk) or, from source, in node_modules. */
function locate(name: keyof typeof WASM): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const dir of [here, join(here, '..')]) {
    const shipped = join(dir, name);
    if (existsSync(shipped)) return shipped;
  }
  return createRequire(import.meta.url).resolve(WASM[name]);
}

let parser: Parser | undefined;
let loading: Promise<void> | undefined;

/** Loads the grammar once. Safe to call many times and concurrently. */
export function initShellParser(): Promise<void> {
  loading ??= (async () => {
    // A pending WebAssembly compilation does not keep Node's event loop alive: with nothing else
    // pending, Node 24 at times ended the process, exit code 0 and no report, before the grammar was
    // compiled. This timer holds the loop until the parser is ready.
    const hold = setInterval(() => undefined, 60_000);
    try {
      await load();
    } finally {
      clearInterval(hold);
    }
  })();
  return loading;
}

/** Compiles the grammar and sets the parser up (once, through initShellParser). */
async function load(): Promise<void> {
  setWasmFlags();
  // The grammar compiles on V8's background threads while the runtime is set up.
  const grammar = WebAssembly.compile(readFileSync(locate('tree-sitter-bash.wasm')));
  grammar.catch(() => undefined);
  await Parser.init({ locateFile: (name: string) => locate(name as keyof typeof WASM) });
  const p = new Parser();
  p.setLanguage(Language.loadSync(await grammar));
  parser = p;
}

/** Parses bash source. `initShellParser()` must have completed. */
export function parseBash(source: string): Tree {
  if (!parser) throw new Error('the bash parser is not initialised (call initShellParser first)');
  const tree = parser.parse(source);
  if (!tree) throw new Error('the bash parser returned no tree');
  return tree;
}
