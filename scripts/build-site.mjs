#!/usr/bin/env node
// Builds the playground, a static page, into site/dist/: the linter and the generator run in the
// browser (web-tree-sitter's WebAssembly), with no server. The core imports no Node module: the page
// gives it its own host (site/src/host.ts), which fetches the parser's WebAssembly files from beside the
// page and holds the generator's templates. The page is bundled for the browser as it is, with ejs's
// own browser build; the build fails if anything on the page's path imports a Node module.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'site');
const out = join(site, 'dist');
const require = createRequire(import.meta.url);

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

/** The rule docs, as a module the page imports (`virtual:rule-docs`). */
const ruleDocs = {
  name: 'rule-docs',
  setup(b) {
    b.onResolve({ filter: /^virtual:rule-docs$/ }, () => ({ path: 'rule-docs', namespace: 'virtual' }));
    b.onLoad({ filter: /^rule-docs$/, namespace: 'virtual' }, () => {
      const dir = join(root, 'docs', 'rules');
      const docs = Object.fromEntries(readdirSync(dir).filter((n) => /^BG\d+\.md$/.test(n)).sort().map((n) => [n.slice(0, -3), readFileSync(join(dir, n), 'utf8')]));
      return { contents: `export default ${JSON.stringify(docs)};`, loader: 'js' };
    });
  },
};

/** esbuild's options for the page's script (test/site/pure.test.ts builds with them too). */
export const PAGE_BUILD = {
  entryPoints: { playground: join(site, 'src', 'main.ts') },
  outdir: out,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: !process.env.CI_BGSAFE_NO_MINIFY,
  sourcemap: false,
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
  // ejs's package main is its Node build (lib/ejs.js, which requires fs and path); ejs.js is its browser build.
  alias: { ejs: 'ejs/ejs.js' },
  loader: { '.ejs': 'text', '.md': 'text' },
  plugins: [ruleDocs],
};

/**
 * The Node modules a build's code imports, as `importer -> module`. A library's import that its own
 * package.json disables for browsers (web-tree-sitter's, in its branch for Node) is not one; any import of
 * a Node module by ci-bgsafe's own code is, disabled or not. (Built for the browser, an import of a Node
 * module that nothing disables does not even resolve: the build fails first.)
 */
export function nodeImports(metafile) {
  const out = [];
  for (const [importer, input] of Object.entries(metafile.inputs)) {
    const ours = !importer.startsWith('node_modules/');
    for (const i of input.imports) {
      const name = (i.original ?? i.path).replace(/^\(disabled\):/, '');
      if (builtins.has(name) && (ours || !i.path.startsWith('(disabled):'))) out.push(`${importer} -> ${name}`);
    }
  }
  return out;
}

// Run as a script (not imported by a test): build.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const result = await build(PAGE_BUILD);
  const found = nodeImports(result.metafile);
  if (found.length) throw new Error(`the page imports Node modules: ${found.join(', ')}`);
  copyFileSync(join(site, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(site, 'src', 'style.css'), join(out, 'style.css'));
  copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(out, 'tree-sitter-bash.wasm'));
  copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(out, 'web-tree-sitter.wasm'));
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  process.stdout.write(`site/dist: playground.js ${Math.round(bytes / 1024)} KiB\n`);
}
