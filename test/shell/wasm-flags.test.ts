/**
 * The V8 flags the parser sets (src/node/wasm-flags.ts), each seen at work in the built command:
 * V8's `--trace-wasm-compilation-times` prints a line for every WebAssembly function it compiles,
 * and with which compiler.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'ci-bgsafe.cjs');
const VPN = join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml');

/** How many functions a WebAssembly file defines: the length of its function section (id 3). */
function definedFunctions(file: string): number {
  const b = readFileSync(file);
  let i = 8; // magic and version
  const leb = (): number => {
    let r = 0;
    let shift = 0;
    let x: number;
    do {
      x = b[i++]!;
      r |= (x & 0x7f) << shift;
      shift += 7;
    } while (x & 0x80);
    return r >>> 0;
  };
  while (i < b.length) {
    const id = b[i++];
    const size = leb();
    if (id === 3) return leb();
    i += size;
  }
  return 0;
}

describe('the WebAssembly flags of the built command', () => {
  let compiled: string[] = [];
  beforeAll(() => {
    // Standard output to a file: V8 prints with C's stdio, which drops what a non-blocking socket (a
    // child process's pipe in Node) refuses. V8's lines and the report are buffered apart, and may cut
    // each other's lines.
    const file = join(mkdtempSync(join(tmpdir(), 'ci-bgsafe-wasm-')), 'out');
    const fd = openSync(file, 'w');
    const r = spawnSync(process.execPath, ['--trace-wasm-compilation-times', BIN, 'lint', '--no-config', VPN], { cwd: ROOT, stdio: ['ignore', fd, 'inherit'] });
    closeSync(fd);
    expect(r.status).toBe(1);
    compiled = [...readFileSync(file, 'utf8').matchAll(/Compiled function \S+ using (\w+)/g)].map((m) => m[1]!);
  });

  it('--liftoff-only: every function is compiled by the baseline compiler, none by the optimising one', () => {
    expect(compiled.length).toBeGreaterThan(0);
    expect(compiled.filter((compiler) => compiler !== 'Liftoff')).toEqual([]);
  });

  it('--no-wasm-lazy-compilation: every function of both modules is compiled up front, not only those a lint calls', () => {
    const total = definedFunctions(join(ROOT, 'dist', 'web-tree-sitter.wasm')) + definedFunctions(join(ROOT, 'dist', 'tree-sitter-bash.wasm'));
    expect(total).toBeGreaterThan(200);
    expect(compiled.filter((compiler) => compiler === 'Liftoff').length).toBe(total);
  });
});
