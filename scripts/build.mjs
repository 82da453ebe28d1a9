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

/**
 * A plugin that edits one library file as it is bundled: `find` (a text that must occur once, or a
 * pattern that must match) becomes `replace`, after `prefix`; every text of `expect` must be there too.
 * When the library's code is no longer so, the build fails and says which plugin to update.
 */
function patchLibrary({ name, file, find, replace, prefix = '', expect = [], what }) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter: file }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        const found = typeof find === 'string' ? source.split(find).length === 2 : find.test(source);
        if (!found || expect.some((e) => !source.includes(e))) throw new Error(`${args.path}: ${what}; update the ${name} plugin`);
        return { contents: prefix + source.replace(find, replace), loader: 'js' };
      });
    },
  };
}

// fdir (under tinyglobby) loads picomatch at start-up through a require the bundler cannot see, so every
// run read and compiled picomatch's files from node_modules (~7 ms). Give it the bundled picomatch.
const fdirPicomatch = patchLibrary({
  name: 'fdir-bundled-picomatch',
  file: /[\\/]fdir[\\/]dist[\\/]index\.mjs$/,
  find: /try \{\s*__require\.resolve\("picomatch"\);\s*pm = __require\("picomatch"\);\s*\} catch \{\}/,
  replace: 'pm = __bundledPicomatch;',
  prefix: "import __bundledPicomatch from 'picomatch';\n",
  what: 'fdir no longer loads picomatch as this build expects',
});

// web-tree-sitter's Language.load takes the grammar's bytes (or a path) and compiles them again, though
// the CLI compiled them at start-up (src/shell/grammar.ts); the loader beneath it (Emscripten's) also
// takes a compiled WebAssembly.Module. Let Language.load pass one through. The parser also makes the
// runtime's memory itself, which must be the size web-tree-sitter asks for.
const treeSitterLoadsModules = patchLibrary({
  name: 'web-tree-sitter-loads-modules',
  file: /[\\/]web-tree-sitter[\\/]tree-sitter\.c?js$/,
  find: 'if (input instanceof Uint8Array) {',
  replace: 'if (input instanceof Uint8Array || input instanceof WebAssembly.Module) {',
  expect: ['var INITIAL_MEMORY = Module["INITIAL_MEMORY"] || 33554432;', '"maximum": 32768', 'if (binary instanceof WebAssembly.Module) {', 'Module["instantiateWasm"](', 'wasmMemory = Module["wasmMemory"];'],
  what: 'web-tree-sitter no longer loads languages or makes its memory as this build expects (see also PARSER_MEMORY in src/shell/grammar.ts)',
});

// picocolors decides at load whether colours are supported, and reads process.stdout.isTTY for that,
// which makes Node build the stdout stream (a few ms; more for a pipe). The CLI decides about colour
// itself and only calls createColors(enabled): drop the probe.
const picocolorsNoProbe = patchLibrary({
  name: 'picocolors-no-probe',
  file: /[\\/]picocolors[\\/]picocolors\.js$/,
  find: '((p.stdout || {}).isTTY && env.TERM !== "dumb")',
  replace: 'false',
  what: 'picocolors no longer probes the terminal as this build expects',
});

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: false,
  legalComments: 'none',
  minify,
  logLevel: 'warning',
  define: { __LANGUAGE_LOAD_TAKES_MODULE__: 'true' },
  plugins: [fdirPicomatch, treeSitterLoadsModules, picocolorsNoProbe],
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

// The CLI: one CommonJS module, so that dist/start.cjs can run it through a V8 code cache (Node 20 has
// no code cache for ES modules). Dynamic imports become requires of code in the same file. The file holds
// the module's function, `(function (exports, require, module, __filename, __dirname) {…})`, as Node
// wraps a CommonJS module: start.cjs compiles the file's text as it is read, with no copy to wrap it.
const cliFile = join(dist, 'cli.cjs');
// web-tree-sitter ships a CommonJS build; its ES module build cannot be turned into one by the bundler.
const webTreeSitterCjs = {
  name: 'web-tree-sitter-cjs',
  setup(b) {
    b.onResolve({ filter: /^web-tree-sitter$/ }, () => ({ path: require.resolve('web-tree-sitter') }));
  },
};
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'process.ts')],
  outfile: cliFile,
  format: 'cjs',
  supported: { 'dynamic-import': false },
  external: ['../package.json'],
  define: { ...common.define, 'import.meta.url': '__cbUrl' },
  banner: { js: "(function (exports, require, module, __filename, __dirname) {const __cbUrl = require('node:url').pathToFileURL(__filename).href;" },
  footer: { js: '})' },
  plugins: [...common.plugins, webTreeSitterCjs, {
    name: 'lsp-apart',
    setup(b) {
      b.onResolve({ filter: /^\.\/lsp\/index\.js$/ }, () => ({ path: './lsp.cjs', external: true }));
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

// The language server: its own file, loaded by `ci-bgsafe lsp` only, so that the protocol library is
// not read or compiled at the start of every other command.
await build({
  ...common,
  entryPoints: [join(root, 'src', 'lsp', 'index.ts')],
  outfile: join(dist, 'lsp.cjs'),
  format: 'cjs',
  external: ['../package.json'],
  define: { ...common.define, 'import.meta.url': '__cbUrl' },
  banner: { js: "const __cbUrl = require('node:url').pathToFileURL(__filename).href;" },
  plugins: [...common.plugins, webTreeSitterCjs],
});
const cliHash = createHash('sha256').update(readFileSync(cliFile)).digest('hex').slice(0, 16);
await build({
  ...common,
  entryPoints: [join(root, 'src', 'cli', 'start.ts')],
  outfile: join(dist, 'start.cjs'),
  format: 'cjs',
  define: { ...common.define, __CLI_BUILD_HASH__: JSON.stringify(cliHash), 'import.meta.url': '__cbUrl' },
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
