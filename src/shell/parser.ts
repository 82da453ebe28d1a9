/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process through
 * web-tree-sitter's documented API, from the files the host gives (src/host.ts).
 */
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';
import { host } from '../host.js';

export type { Node, Tree, TreeCursor };

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
  const files = host().parserFiles();
  // The grammar compiles on V8's background threads while the runtime is set up.
  const grammar = files.grammar instanceof Uint8Array ? WebAssembly.compile(files.grammar) : files.grammar.then((b) => WebAssembly.compile(b));
  grammar.catch(() => undefined);
  await Parser.init({ locateFile: (name: string) => files.locateFile(name) });
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
