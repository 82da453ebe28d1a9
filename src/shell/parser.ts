/**
 * The bash parser: tree-sitter-bash compiled to WebAssembly, loaded once per process.
 */
import { Language, Parser, type Node, type Tree, type TreeCursor } from 'web-tree-sitter';
import { grammarBytes, grammarModules, releaseGrammarBytes, takeParserMemory } from './grammar.js';

export type { Node, Tree, TreeCursor };

/**
 * Set by the build (scripts/build.mjs), whose copy of web-tree-sitter's `Language.load` also takes a
 * compiled `WebAssembly.Module`; from source (the tests), the grammar is loaded from its bytes, and V8
 * finds the module it compiled from the same bytes.
 */
declare const __LANGUAGE_LOAD_TAKES_MODULE__: boolean | undefined;
const loadTakesModule = typeof __LANGUAGE_LOAD_TAKES_MODULE__ !== 'undefined' && __LANGUAGE_LOAD_TAKES_MODULE__;

let parser: Parser | undefined;
let loading: Promise<Parser> | undefined;

/** Loads the grammar once. Safe to call many times and concurrently. */
export function initShellParser(): Promise<Parser> {
  if (parser) return Promise.resolve(parser);
  loading ??= (async () => {
    const modules = grammarModules();
    const runtime = await modules.runtime;
    await Parser.init({
      wasmMemory: takeParserMemory(),
      // Emscripten's hook: instantiate the module compiled early instead of compiling the bytes again.
      instantiateWasm(imports: WebAssembly.Imports, done: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void) {
        done(new WebAssembly.Instance(runtime, imports), runtime);
        return {};
      },
    });
    const bash = await modules.bash;
    const language = await Language.load(loadTakesModule ? (bash as unknown as Uint8Array) : grammarBytes().bash);
    const p = new Parser();
    p.setLanguage(language);
    parser = p;
    releaseGrammarBytes();
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
