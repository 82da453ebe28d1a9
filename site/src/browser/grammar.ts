/**
 * The page's counterpart of src/shell/grammar.ts: the parser's two WebAssembly files are fetched from
 * beside the page's script (the site build copies them there) and compiled by the browser.
 */
export const PARSER_MEMORY = { initial: 512, maximum: 32768 } as const;

interface GrammarModules {
  runtime: Promise<WebAssembly.Module>;
  bash: Promise<WebAssembly.Module>;
}

let bytes: { runtime?: Uint8Array<ArrayBuffer>; bash?: Uint8Array<ArrayBuffer> } = {};
let modules: GrammarModules | undefined;

async function fetchBytes(name: string): Promise<Uint8Array<ArrayBuffer>> {
  const r = await fetch(new URL(name, import.meta.url));
  if (!r.ok) throw new Error(`cannot load ${name}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

export function grammarModules(): GrammarModules {
  if (!modules) {
    const runtime = fetchBytes('tree-sitter.wasm').then((b) => WebAssembly.compile((bytes.runtime = b)));
    const bash = fetchBytes('tree-sitter-bash.wasm').then((b) => WebAssembly.compile((bytes.bash = b)));
    modules = { runtime, bash };
  }
  return modules;
}

/** The bytes, once `grammarModules()` has settled. */
export function grammarBytes(): { runtime: Uint8Array<ArrayBuffer>; bash: Uint8Array<ArrayBuffer> } {
  if (!bytes.runtime || !bytes.bash) throw new Error('the grammar is not loaded yet');
  return { runtime: bytes.runtime, bash: bytes.bash };
}

export function takeParserMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory(PARSER_MEMORY);
}

export function releaseGrammarBytes(): void {
  bytes = {};
}
