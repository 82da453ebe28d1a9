#!/usr/bin/env node
// Builds dist/: one bundled ESM file per entry (CLI and library) with lazily loaded chunks,
// the WASM files beside them, and type declarations for the library.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

execFileSync(process.execPath, [join(root, 'scripts', 'compile-schemas.mjs'), '--check'], { stdio: 'inherit' });

await build({
  entryPoints: { cli: join(root, 'src', 'cli.ts'), index: join(root, 'src', 'index.ts') },
  outdir: dist,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  minify: process.env.CI_BGSAFE_NO_MINIFY ? false : true,
  chunkNames: 'chunks/[name]-[hash]',
  // The package.json version is read at run time; ejs is loaded only by `gen`.
  external: ['../package.json'],
  banner: { js: "import { createRequire as __cbRequire } from 'node:module'; const require = __cbRequire(import.meta.url);" },
  logLevel: 'warning',
});

copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dist, 'tree-sitter-bash.wasm'));
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), join(dist, 'tree-sitter.wasm'));
mkdirSync(join(dist, 'chunks'), { recursive: true });
copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dist, 'chunks', 'tree-sitter-bash.wasm'));
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), join(dist, 'chunks', 'tree-sitter.wasm'));

if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--outDir', dist], { stdio: 'inherit' });
}
