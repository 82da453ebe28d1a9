/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';

export type { Node, Tree, TreeCursor };

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Finds a WASM file shipped beside the bundle (dist/) or, from source, in node_modules. */
function locate(fileName: string, packagePath: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const bundled = join(here, fileName);
  if (existsSync(bundled)) return bundled;
  const require = createRequire(import.meta.url);
  return require.resolve(packagePath);
}

/** Loads the grammar once. Safe to call many times and concurrently. */
export function initShellParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    // Baseline compilation only: the optimising tier would keep the process alive for ~0.3 s at exit.
    v8.setFlagsFromString('--liftoff-only');
    await Parser.init({
      locateFile: (name: string) => locate(name, `web-tree-sitter/${name}`),
    });
    const language = await Language.load(locate('tree-sitter-bash.wasm', 'tree-sitter-bash/tree-sitter-bash.wasm'));
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    return p;
  })();
  return loading;
}

/** Parses bash source. `initShellParser()` must have completed. */
export function parseBash(source: string): Tree {
  if (!parser) throw new Error('the bash parser is not initialised (call initShellParser first)');
  const tree = parser.parse(source);
  if (!tree) throw new Error('the bash parser returned no tree');
  return tree;
}
