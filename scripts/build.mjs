#!/usr/bin/env node
// Builds dist/: the library (ESM, lazily loaded chunks), the CLI (one CommonJS file), the WASM files
// beside them, and the library's type declarations (one file).
import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
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

// This package's package.json is read at run time, for its version (src/cli.ts); a dependency's own
// package.json is bundled with it.
const ownPackageJson = {
  name: 'own-package-json',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/package\.json$/ }, (args) =>
      args.importer.startsWith(join(root, 'src')) ? { path: args.path, external: true } : undefined);
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  minify: !process.env.CI_BGSAFE_NO_MINIFY,
  logLevel: 'warning',
  plugins: [ownPackageJson],
};

// The library: ESM, with the generator and the fixer in chunks loaded on demand.
await build({
  ...common,
  entryPoints: { index: join(root, 'src', 'index.ts') },
  outdir: dist,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  banner: { js: "import { createRequire as __cbRequire } from 'node:module'; const require = __cbRequire(import.meta.url);" },
});

// Each package's CommonJS build (its "require" export), as Node would load it from a CommonJS file:
// web-tree-sitter's ES module build needs import.meta, and fdir's would look for picomatch in
// node_modules at run time instead of taking the bundled one.
const commonjsBuilds = {
  name: 'commonjs-builds',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.kind === 'import-statement' && !args.path.startsWith('node:') ? b.resolve(args.path, { kind: 'require-call', resolveDir: args.resolveDir }) : undefined);
  },
};
const commonjs = {
  format: 'cjs',
  define: { 'import.meta.url': '__cbUrl' },
  banner: { js: "const __cbUrl = require('node:url').pathToFileURL(__filename).href;" },
};

// The CLI: one CommonJS file, which bin/ci-bgsafe.cjs requires (Node's compile cache, where the running
// Node has one, then keeps its compiled code). Dynamic imports become requires of code in the same file,
// except the language server's.
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'process.ts')],
  outfile: join(dist, 'cli.cjs'),
  ...commonjs,
  supported: { 'dynamic-import': false },
  plugins: [ownPackageJson, commonjsBuilds, {
    name: 'lsp-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/lsp\/index\.js$/ }, () => ({ path: './lsp.cjs', external: true }));
    },
  }],
});

// The language server: its own file, loaded by `ci-bgsafe lsp` only, so that the protocol library is
// not read or compiled at the start of every other command.
await build({
  ...common,
  ...commonjs,
  entryPoints: [join(root, 'src', 'lsp', 'index.ts')],
  outfile: join(dist, 'lsp.cjs'),
  plugins: [ownPackageJson, commonjsBuilds],
});

copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dist, 'tree-sitter-bash.wasm'));
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(dist, 'web-tree-sitter.wasm'));

// The library's type declarations: one file, dist/index.d.ts, holding what the public API names (and
// type-checking src/ on the way). The packages bundled above are not installed beside ci-bgsafe, so
// the file may name none of them: the build stops if it does.
if (!process.argv.includes('--no-types')) {
  const out = join(dist, 'index.d.ts');
  execFileSync(process.execPath, [
    require.resolve('dts-bundle-generator/dist/bin/dts-bundle-generator.js'), '--silent', '--no-check',
    '--project', join(root, 'tsconfig.json'), '--export-referenced-types', 'false',
    '--out-file', out, join(root, 'src', 'index.ts'),
  ], { stdio: 'inherit' });
  // Node's own types (a reference to "node") are the user's, as for any library that runs in Node.
  const imports = readFileSync(out, 'utf8').match(/^(import|export) .* from .*$|^\/\/\/ <reference (?!types="node").*$|.*\bimport\(["'].*$/gm);
  if (imports) {
    rmSync(out);
    throw new Error(`dist/index.d.ts names packages that are not installed with ci-bgsafe:\n${imports.join('\n')}`);
  }
}
