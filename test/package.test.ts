/** What `npm pack` ships: the CLI, the library with its types, the WASM grammar, the generator's templates, no tests. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

describe('the npm package', () => {
  it('contains what the CLI and the library need at run time, and nothing of the tests', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--silent'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const files: string[] = JSON.parse(out.slice(out.indexOf('[')))[0].files.map((f: { path: string }) => f.path);
    for (const needed of [
      'bin/ci-bgsafe.cjs',
      'dist/cli.cjs',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/web-tree-sitter.wasm',
      'dist/tree-sitter-bash.wasm',
      'templates/gen/library.sh.ejs',
      'schemas/config.schema.json',
      'docs/rules/BG001.md',
      'README.md',
      'LICENSE',
    ]) {
      expect(files).toContain(needed);
    }
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('bench/'))).toEqual([]);
  }, 120_000);
});
