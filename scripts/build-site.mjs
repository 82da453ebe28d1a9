#!/usr/bin/env node
// Builds the playground, a static page, into site/dist/: the linter and the generator run in the
// browser (web-tree-sitter's WebAssembly), with no server. The core's modules that reach the system
// are given their page counterparts: the parser's WASM files are fetched from beside the page
// (site/src/browser/parser.ts), the generator's templates are part of the script (render.ts), and
// path, fs and glob are an in-page path arithmetic and a file system without files. The build fails
// if anything on the page's path still imports a Node module.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const site = join(root, 'site');
const out = join(site, 'dist');
const browser = join(site, 'src', 'browser');
const require = createRequire(import.meta.url);

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const PAGE_MODULES = {
  path: join(browser, 'path.ts'),
  fs: join(browser, 'fs.ts'),
};

const seams = {
  name: 'page-seams',
  setup(b) {
    b.onResolve({ filter: /(^|\/)parser\.js$/ }, (args) =>
      resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts')) === join(root, 'src', 'shell', 'parser.ts') ? { path: join(browser, 'parser.ts') } : undefined);
    b.onResolve({ filter: /^\.\/render\.js$/ }, (args) =>
      args.importer.endsWith(join('src', 'gen', 'index.ts')) ? { path: join(browser, 'render.ts') } : undefined);
    b.onResolve({ filter: /^tinyglobby$/ }, () => ({ path: join(browser, 'glob.ts') }));
    b.onResolve({ filter: /^virtual:rule-docs$/ }, () => ({ path: 'rule-docs', namespace: 'virtual' }));
    b.onLoad({ filter: /^rule-docs$/, namespace: 'virtual' }, () => {
      const dir = join(root, 'docs', 'rules');
      const docs = Object.fromEntries(readdirSync(dir).filter((n) => /^BG\d+\.md$/.test(n)).sort().map((n) => [n.slice(0, -3), readFileSync(join(dir, n), 'utf8')]));
      return { contents: `export default ${JSON.stringify(docs)};`, loader: 'js' };
    });
    // Node's modules: the page's own path and fs; the others are named only in web-tree-sitter's and
    // ejs's branches for Node, which never run in a browser.
    b.onResolve({ filter: /^[a-z_:/]+$/ }, (args) => {
      if (!builtins.has(args.path)) return undefined;
      const name = args.path.replace(/^node:/, '');
      if (PAGE_MODULES[name]) return { path: PAGE_MODULES[name] };
      const fromLibrary = /[\\/]node_modules[\\/](web-tree-sitter|ejs)[\\/]/.test(args.importer);
      if (fromLibrary) return { path: join(browser, 'unavailable.ts') };
      return { errors: [{ text: `${args.importer} imports ${args.path}, which the page does not have` }] };
    });
  },
};

const result = await build({
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
  inject: [join(browser, 'globals.ts')],
  loader: { '.ejs': 'text', '.md': 'text' },
  plugins: [seams],
});

const nodeInputs = Object.keys(result.metafile.inputs).filter((p) => p.startsWith('node:') || builtins.has(p));
if (nodeInputs.length) throw new Error(`the page imports Node modules: ${nodeInputs.join(', ')}`);

copyFileSync(join(site, 'index.html'), join(out, 'index.html'));
copyFileSync(join(site, 'src', 'style.css'), join(out, 'style.css'));
copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(out, 'tree-sitter-bash.wasm'));
copyFileSync(require.resolve('web-tree-sitter/web-tree-sitter.wasm'), join(out, 'web-tree-sitter.wasm'));
const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
process.stdout.write(`site/dist: playground.js ${Math.round(bytes / 1024)} KiB\n`);
