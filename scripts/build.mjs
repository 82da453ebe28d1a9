#!/usr/bin/env node
// Builds dist/: the library (ESM, lazily loaded chunks), the CLI (one CommonJS file and its
// compile-cache loader), the WASM files beside them, and type declarations for the library.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync, spawnSync } from 'node:child_process';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

execFileSync(process.execPath, [join(root, 'scripts', 'compile-schemas.mjs'), '--check'], { stdio: 'inherit' });

const minify = !process.env.CI_BGSAFE_NO_MINIFY;

// fdir (under tinyglobby) loads picomatch at start-up through a require the bundler cannot see, so every
// run read and compiled picomatch's files from node_modules (~7 ms). Give it the bundled picomatch.
const fdirPicomatch = {
  name: 'fdir-bundled-picomatch',
  setup(b) {
    b.onLoad({ filter: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const dynamic = /try \{\s*__require\.resolve\("picomatch"\);\s*pm = __require\("picomatch"\);\s*\} catch \{\}/;
      if (!dynamic.test(source)) throw new Error(`${args.path}: fdir no longer loads picomatch as this build expects; update the fdir-bundled-picomatch plugin`);
      return {
        contents: `import __bundledPicomatch from 'picomatch';\n${source.replace(dynamic, 'pm = __bundledPicomatch;')}`,
        loader: 'js',
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  minify,
  logLevel: 'warning',
  plugins: [fdirPicomatch],
};

// The library: ESM, with the generator and the fixer in chunks loaded on demand.
await build({
  ...common,
  entryPoints: { index: join(root, 'src', 'index.ts') },
  outdir: dist,
  splitting: true,
  format: 'esm',
  chunkNames: 'chunks/[name]-[hash]',
  // The package.json version is read at run time.
  external: ['../package.json'],
  banner: { js: "import { createRequire as __cbRequire } from 'node:module'; const require = __cbRequire(import.meta.url);" },
});

// The CLI: one CommonJS file, so that dist/start.cjs can run it through a V8 code cache
// (Node 20 has no code cache for ES modules). Dynamic imports become requires of code in the same file.
const cliFile = join(dist, 'cli.cjs');
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'process.ts')],
  outfile: cliFile,
  format: 'cjs',
  supported: { 'dynamic-import': false },
  external: ['../package.json'],
  define: { 'import.meta.url': '__cbUrl' },
  banner: { js: "const __cbUrl = require('node:url').pathToFileURL(__filename).href;" },
  // web-tree-sitter ships a CommonJS build; its ES module build cannot be turned into one by the bundler.
  plugins: [fdirPicomatch, {
    name: 'web-tree-sitter-cjs',
    setup(b) {
      b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
    },
  }, {
    // commander needs child_process only to run external subcommands, which this CLI has none of:
    // give it a module that loads child_process on first use instead of at every start.
    name: 'lazy-child-process',
    setup(b) {
      b.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
        /[\\/]commander[\\/]/.test(args.importer) ? { path: 'lazy-child-process', namespace: 'lazy' } : undefined);
      b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({
        contents: "const load = () => require('node:child_process');\n" +
          "module.exports = new Proxy({}, { get: (_, key) => load()[key] });\n",
        loader: 'js',
      }));
    },
  }],
});
const cliHash = createHash('sha256').update(readFileSync(cliFile)).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'start.ts')],
  outfile: join(dist, 'start.cjs'),
  format: 'cjs',
  define: { __CLI_BUILD_HASH__: JSON.stringify(cliHash), 'import.meta.url': '__cbUrl' },
  banner: { js: "const __cbUrl = require('node:url').pathToFileURL(__filename).href;" },
});

copyFileSync(require.resolve('tree-sitter-bash/tree-sitter-bash.wasm'), join(dist, 'tree-sitter-bash.wasm'));
copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), join(dist, 'tree-sitter.wasm'));

// The CLI's code cache for this Node version, so that even the first run after a build starts fast:
// lint the example and this project's own pipeline and components (anchors, extends, !reference,
// include, components) once with a fresh cache folder, and keep what that run wrote.
{
  const tmp = mkdtempSync(join(tmpdir(), 'ci-bgsafe-build-'));
  try {
    const r = spawnSync(process.execPath, [join(dist, 'start.cjs'), 'lint', '--no-config', ...['examples/vpn-deploy/.gitlab-ci.yml', '.gitlab-ci.yml', 'templates/lint.yml', 'templates/services.yml'].map((f) => join(root, f))], {
      env: { ...process.env, CI_BGSAFE_CACHE_DIR: tmp, CI_BGSAFE_NO_CACHE: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const made = readdirSync(tmp).find((n) => n.endsWith('.v8cache'));
    if ([0, 1].includes(r.status ?? -1) && made) copyFileSync(join(tmp, made), join(dist, made));
    // Only a speed-up: the CLI works without it (and makes one on its first run).
    else process.stderr.write(`build: no compile cache made (exit ${r.status}): ${String(r.stderr).slice(0, 500)}\n`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (!process.argv.includes('--no-types')) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--outDir', dist], { stdio: 'inherit' });
}
