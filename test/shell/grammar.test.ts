/**
 * The parser's memory, which files are read into at start-up: what is read there is the file, it is
 * cleared before the parser takes the memory, nothing is read into it after that, and the parser uses it.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { clearParserMemory, compileGrammarEarly, parserMemory, readIntoParserMemory, takeParserMemory } from '../../src/shell/grammar.js';
import { initShellParser, parseBash } from '../../src/shell/parser.js';

const BASH_WASM = createRequire(import.meta.url).resolve('tree-sitter-bash/tree-sitter-bash.wasm');

/** The offsets of the memory's bytes that are not zero. */
function nonZero(memory: WebAssembly.Memory): number {
  const words = new BigUint64Array(memory.buffer);
  let n = 0;
  for (let i = 0; i < words.length; i++) if (words[i] !== 0n) n++;
  return n;
}

describe("the parser's memory", () => {
  it('holds files read into it until cleared, is new when the parser takes it, and is the memory the parser uses', async () => {
    // each test file runs in a process of its own: the parser is not built yet
    const memory = parserMemory();
    expect(nonZero(memory)).toBe(0);

    compileGrammarEarly();
    expect(nonZero(memory)).toBe(0);

    const bytes = readIntoParserMemory(BASH_WASM);
    expect(bytes.buffer).toBe(memory.buffer);
    expect(Buffer.from(bytes).equals(readFileSync(BASH_WASM))).toBe(true);
    clearParserMemory();
    expect(nonZero(memory)).toBe(0);

    // left there, it is cleared when the parser takes the memory; nothing is read into it after that
    readIntoParserMemory(BASH_WASM);
    expect(nonZero(memory)).toBeGreaterThan(0);
    expect(takeParserMemory()).toBe(memory);
    expect(nonZero(memory)).toBe(0);
    const after = readIntoParserMemory(BASH_WASM);
    expect(after.buffer).not.toBe(memory.buffer);
    expect(Buffer.from(after).equals(readFileSync(BASH_WASM))).toBe(true);
    expect(nonZero(memory)).toBe(0);

    // the parser is built on it: the grammar's tables and the parser's heap are in it now
    await initShellParser();
    expect(nonZero(memory)).toBeGreaterThan(100_000);
    expect(parseBash('sleep 5 &\nwait\n').rootNode.toString()).toContain('command_name');
  });
});
