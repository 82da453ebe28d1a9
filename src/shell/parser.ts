/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process.
 */
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';
import { compileGrammarEarly, grammarBytes, releaseEarlyCompilations } from './grammar.js';

export type { Node, Tree, TreeCursor };

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Loads the grammar once. Safe to call many times and concurrently. */
export function initShellParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    compileGrammarEarly();
    const bytes = grammarBytes();
    await Parser.init({ wasmBinary: bytes.runtime });
    const language = await Language.load(bytes.bash);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    releaseEarlyCompilations();
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
