/**
 * The page's counterpart of src/shell/parser.ts: the same parser (web-tree-sitter and tree-sitter-bash),
 * its two WebAssembly files fetched from beside the page's script, where the site build copies them.
 */
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';

export type { Node, Tree, TreeCursor };

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

const beside = (name: string): string => new URL(name, import.meta.url).href;

export function initShellParser(): Promise<Parser> {
  loading ??= (async () => {
    await Parser.init({ locateFile: beside });
    const p = new Parser();
    p.setLanguage(await Language.load(beside('tree-sitter-bash.wasm')));
    parser = p;
    return p;
  })();
  return loading;
}

export function parseBash(source: string): Tree {
  if (!parser) throw new Error('the bash parser is not initialised (call initShellParser first)');
  const tree = parser.parse(source);
  if (!tree) throw new Error('the bash parser returned no tree');
  return tree;
}
