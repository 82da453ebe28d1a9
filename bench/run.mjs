#!/usr/bin/env node
// The benchmark harness (`npm run bench`): ci-bgsafe against the parse floor and its peers on
// synthetic pipelines, whole processes, several repetitions; writes bench/RESULTS.md.
//   node bench/run.mjs            full run (sizes 10, 100, 500, 1000, 5000), writes bench/RESULTS.md
//   node bench/run.mjs --quick    sizes 10, 100, 1000, fewer repetitions, prints only
//   node bench/run.mjs --cold     only the cold start (against `node -e 0`), prints only
//   node bench/run.mjs --install  only the package installed from its tarball, prints only
//   node bench/run.mjs --lsp-only the language server's part alone (diagnostics after an edit), prints only
//   options: --sizes 10,1000   --reps N   --out FILE   --no-peers   --keep (keep the temporary folder)
//   also: `lint --fix-dry-run` on 100 jobs, and a configuration of a large product's size (bench/gitlab-sized.mjs: ~110 files, templates,
//   unresolved external includes), linted whole, against the 2 s target
// Expects a built CLI (dist/); `npm run bench` builds first.
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { generatePipeline, writePipeline } from './generate.mjs';
import { generateGitlabSized, writeGitlabSized } from './gitlab-sized.mjs';
import { benchLsp } from './lsp.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const USAGE = 'usage: node bench/run.mjs [--quick | --cold | --install | --lsp-only] [--sizes 10,1000] [--reps N] [--out FILE] [--no-peers] [--keep]\n';
let args;
try {
  args = parseArgs({
    options: {
      quick: { type: 'boolean' }, cold: { type: 'boolean' }, install: { type: 'boolean' }, sizes: { type: 'string' }, reps: { type: 'string' }, out: { type: 'string' },
      'no-peers': { type: 'boolean' }, keep: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'lsp-only': { type: 'boolean' },
    },
  }).values;
} catch (e) {
  process.stderr.write(`bench: ${e.message}\n${USAGE}`);
  process.exit(2);
}
if (args.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const positive = (name, text) => {
  if (!/^[1-9]\d*$/.test(text)) {
    process.stderr.write(`bench: --${name} takes whole numbers above 0, not "${text}"\n${USAGE}`);
    process.exit(2);
  }
  return Number(text);
};

const quick = !!args.quick;
const coldOnly = !!args.cold;
const installOnly = !!args.install;
const sizes = coldOnly || installOnly ? [] : (args.sizes ?? (quick ? '10,100,1000' : '10,100,500,1000,5000')).split(',').map((n) => positive('sizes', n));
const repsOverride = args.reps !== undefined ? positive('reps', args.reps) : undefined;
const out = args.out ?? (quick || coldOnly || installOnly ? undefined : join(root, 'bench', 'RESULTS.md'));
const peers = !args['no-peers'];
const TIMEOUT_MS = 300_000;

/** Repetitions per size: fewer for the large sizes (and for the slow peers) to keep a full run short. */
function repsFor(size, slow = false) {
  if (repsOverride) return repsOverride;
  if (quick) return size >= 1000 ? 3 : 5;
  if (size >= 5000) return slow ? 2 : 5;
  if (size >= 1000) return slow ? 3 : 5;
  return slow ? 5 : 7;
}

const cli = join(root, 'bin', 'ci-bgsafe.cjs');
if (!existsSync(join(root, 'dist', 'cli.cjs'))) {
  process.stderr.write('bench: dist/ is missing; run `npm run build` first (or `npm run bench`)\n');
  process.exit(2);
}
const lib = await import(pathToFileURL(process.env.CI_BGSAFE_LIB ?? join(root, 'dist', 'index.js')).href);
const gclBin = (() => {
  try {
    return require.resolve('gitlab-ci-local/src/index.js');
  } catch {
    return undefined;
  }
})();
const hasShellcheck = spawnSync('shellcheck', ['--version']).status === 0;

/**
 * Runs a command once: wall time, and (unless `rss` is false) peak RSS through `/usr/bin/time`, whose
 * own start-up (~5 ms) is then part of the time: negligible for seconds, not for a cold start.
 * Gives wall milliseconds, peak RSS in MB (NaN without it), the exit status and standard error.
 */
function measure(cmd, args, cwd, env = undefined, { rss = true } = {}) {
  const rssFile = join(os.tmpdir(), `bench-rss-${process.pid}`);
  const sink = openSync('/dev/null', 'w');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(rss ? '/usr/bin/time' : cmd, rss ? ['-f', '%M', '-o', rssFile, cmd, ...args] : args, {
    cwd, stdio: ['ignore', sink, 'pipe'], timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024,
    env: env ? { ...process.env, ...env } : process.env,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  closeSync(sink);
  let rssMb = NaN;
  if (rss) {
    try {
      const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
      rssMb = Number(lines[lines.length - 1]) / 1024;
    } catch {
      // no RSS recorded
    }
  }
  if (r.error) throw new Error(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  return { ms, rssMb, status: r.status, stderr: r.stderr.toString() };
}

function stats(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return { median, min: s[0], max: s[s.length - 1], n: s.length };
}

/** Ratios of runs made one right after the other (a[i] / b[i]): drift of a shared machine cancels out. */
function paired(a, b) {
  return stats(a.slice(0, b.length).map((x, i) => x / b[i]));
}

/** Prepares a size: pipeline files, a git repository (gitlab-ci-local needs one), one script file per job for shellcheck. */
function prepare(base, size) {
  const dir = join(base, `p${size}`);
  mkdirSync(dir, { recursive: true });
  const entry = writePipeline(dir, size);
  const git = (...a) => execFileSync('git', a, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('add', '-A');
  git('-c', 'user.email=bench@example.com', '-c', 'user.name=bench', 'commit', '-qm', 'pipeline');
  git('remote', 'add', 'origin', 'https://gitlab.example.com/group/project.git');
  // the scripts exactly as the pipeline model resolves them: one file per job
  const scripts = join(base, `s${size}`);
  mkdirSync(scripts, { recursive: true });
  const pipeline = lib.loadPipeline(entry);
  const files = [];
  const items = [];
  for (const job of pipeline.jobs) {
    const main = [...job.before_script, ...job.script].map((i) => i.text);
    const after = job.after_script.map((i) => i.text);
    items.push(...main, ...after);
    const f = join(scripts, `${job.name}.sh`);
    writeFileSync(f, `#!/bin/bash\n${main.join('\n')}\n${after.length ? `# after_script\n${after.join('\n')}\n` : ''}`);
    files.push(relative(scripts, f));
  }
  let lines = 0;
  for (const text of generatePipeline(size).values()) lines += text.split('\n').length - 1;
  return { size, dir, scripts, scriptFiles: files, jobs: pipeline.jobs.length, lines, items: items.length, distinctItems: new Set(items).size };
}

function tools(p) {
  const list = [
    { id: 'ci-bgsafe', label: '`ci-bgsafe lint --format json`', cmd: process.execPath, args: [cli, 'lint', '--format', 'json', '--no-config', '.gitlab-ci.yml'], cwd: p.dir, ok: [0, 1], env: compileCacheEnv },
    { id: 'floor', label: 'floor (read + `yaml` + tree-sitter-bash)', cmd: process.execPath, args: [join(root, 'bench', 'floor.mjs'), p.dir], cwd: p.dir, ok: [0] },
  ];
  if (peers && hasShellcheck) {
    list.push({ id: 'shellcheck', label: '`shellcheck` (one process, one file per job)', cmd: 'shellcheck', args: ['-s', 'bash', '-f', 'json', ...p.scriptFiles], cwd: p.scripts, ok: [0, 1], slow: true });
  }
  if (peers && gclBin) {
    list.push({ id: 'gitlab-ci-local', label: '`gitlab-ci-local --list`', cmd: process.execPath, args: [gclBin, '--list'], cwd: p.dir, ok: [0], slow: true });
  }
  return list;
}

function runSize(p) {
  const list = tools(p);
  const results = new Map(list.map((t) => [t.id, { tool: t, ms: [], rss: [] }]));
  // one unmeasured warm-up of each (file cache, lazy compilation caches); the slow peers skip it from 1,000 jobs
  for (const t of list) {
    if (t.slow && p.size >= 1000) continue;
    const r = measure(t.cmd, t.args, t.cwd, t.env);
    if (!t.ok.includes(r.status)) throw new Error(`${t.id} failed at ${p.size} jobs (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
  }
  // ci-bgsafe and the floor round-robin (drift of the machine spreads over both alike), then the peers:
  // the ratio to the floor never shares the machine with whatever a peer leaves running.
  for (const group of [list.filter((t) => !t.slow), list.filter((t) => t.slow)]) {
    if (!group.length) continue;
    const maxReps = Math.max(...group.map((t) => repsFor(p.size, t.slow)));
    for (let rep = 0; rep < maxReps; rep++) {
      for (const t of group) {
        if (rep >= repsFor(p.size, t.slow)) continue;
        const r = measure(t.cmd, t.args, t.cwd, t.env);
        if (!t.ok.includes(r.status)) throw new Error(`${t.id} failed at ${p.size} jobs (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
        const entry = results.get(t.id);
        entry.ms.push(r.ms);
        entry.rss.push(r.rssMb);
      }
    }
  }
  const summary = {};
  for (const [id, e] of results) summary[id] = { label: e.tool.label, time: stats(e.ms), rss: stats(e.rss) };
  // ci-bgsafe and the floor ran in turn: each pair saw the same state of the machine
  summary['ci-bgsafe'].paired = paired(results.get('ci-bgsafe').ms, results.get('floor').ms);
  return summary;
}

function coldStart(base) {
  const dir = join(base, 'cold');
  mkdirSync(dir, { recursive: true });
  // a small pipeline: the generator's shared templates and one job
  const text = [...generatePipeline(1).values()][0].replace(/include:\n\n/, '');
  writeFileSync(join(dir, '.gitlab-ci.yml'), text);
  const lines = text.split('\n').length - 1;
  const reps = repsOverride ?? (quick ? 7 : 15);
  const args = [cli, 'lint', '.gitlab-ci.yml', '--no-config'];
  // the command and Node doing nothing, interleaved so that drift of the machine hits both alike
  const runs = [
    { id: 'lint', cmd: process.execPath, args, env: compileCacheEnv, lint: true },
    { id: 'node', cmd: process.execPath, args: ['-e', '0'] },
  ];
  for (const r of runs) measure(r.cmd, r.args, dir, r.env);
  const times = Object.fromEntries(runs.map((r) => [r.id, []]));
  // timed without /usr/bin/time (its own start-up would add the same few ms to both sides of each ratio)
  for (let i = 0; i < reps; i++) {
    for (const r of runs) {
      const x = measure(r.cmd, r.args, dir, r.env, { rss: false });
      if (r.lint && ![0, 1].includes(x.status)) throw new Error(`cold start lint failed (exit ${x.status}): ${x.stderr}`);
      times[r.id].push(x.ms);
    }
  }
  return { lines, lint: stats(times.lint), node: stats(times.node), pairedLint: paired(times.lint, times.node) };
}

/** The configuration of a large product's size: ci-bgsafe and the floor in turn, like the sizes above. */
function gitlabSized(base) {
  const dir = join(base, 'gitlab-sized');
  mkdirSync(dir, { recursive: true });
  writeGitlabSized(dir);
  const texts = [...generateGitlabSized().values()];
  const p = { size: 'gitlab-sized', dir, files: texts.length, lines: texts.reduce((n, t) => n + t.split('\n').length - 1, 0), load: os.loadavg()[0] };
  const list = tools({ ...p, scriptFiles: [] }).filter((t) => t.id === 'ci-bgsafe' || t.id === 'floor');
  const reps = repsOverride ?? (quick ? 3 : 7);
  for (const t of list) measure(t.cmd, t.args, t.cwd, t.env);
  const times = Object.fromEntries(list.map((t) => [t.id, []]));
  const rss = [];
  for (let i = 0; i < reps; i++) {
    for (const t of list) {
      const r = measure(t.cmd, t.args, t.cwd, t.env);
      if (!t.ok.includes(r.status)) throw new Error(`${t.id} failed on the large product's configuration (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
      times[t.id].push(r.ms);
      if (t.id === 'ci-bgsafe') rss.push(r.rssMb);
    }
  }
  return { ...p, lint: stats(times['ci-bgsafe']), floor: stats(times.floor), paired: paired(times['ci-bgsafe'], times.floor), rss: stats(rss) };
}

/** `--fix-dry-run` on the 100-job pipeline: every fixable finding worked out, applied and re-linted in memory. */
function fixRun(base) {
  const dir = join(base, 'fix');
  writePipeline(dir, FIX_JOBS);
  const files = ['.gitlab-ci.yml', ...readdirSync(join(dir, 'ci')).map((f) => `ci/${f}`)];
  const args = [cli, 'lint', '--fix-dry-run', '--no-config', ...files];
  const reps = repsOverride ?? (quick ? 2 : 3);
  // the warm-up run, which also gives the diff
  const diff = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 }).stdout ?? '';
  const ms = [];
  for (let i = 0; i < reps; i++) {
    const r = measure(process.execPath, args, dir);
    if (r.status !== 1) throw new Error(`--fix-dry-run failed (exit ${r.status}): ${r.stderr.slice(0, 2000)}`);
    ms.push(r.ms);
  }
  return { jobs: FIX_JOBS, time: stats(ms), changed: diff.split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++')).length, load: os.loadavg()[0] };
}

/** Bytes of the files under `dir` (symbolic links not followed). */
function bytesUnder(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += bytesUnder(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/**
 * The package as a user installs it: `npm pack`, then the tarball installed into an empty folder with
 * an empty npm cache and no network (`--offline`: any dependency to fetch would fail the install), then
 * `lint` on the example through the installed command. The tarball is made from dist/ as built.
 */
function packageInstall(base) {
  const dir = join(base, 'install');
  const project = join(dir, 'project');
  mkdirSync(project, { recursive: true });
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
  const install = measure('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(dir, 'npm-cache'), join(dir, packed.filename)], project, undefined, { rss: false });
  if (install.status !== 0) throw new Error(`installing the packed tarball failed (exit ${install.status}): ${install.stderr.slice(0, 2000)}`);
  const packages = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: project, encoding: 'utf8' }).trim().split('\n').slice(1);
  const installed = JSON.parse(readFileSync(join(project, 'node_modules', 'ci-bgsafe', 'package.json'), 'utf8'));
  const installScripts = ['preinstall', 'install', 'postinstall', 'prepare'].filter((s) => installed.scripts?.[s]);
  const example = join(root, 'examples', 'vpn-deploy', '.gitlab-ci.yml');
  const lint = measure(join(project, 'node_modules', '.bin', 'ci-bgsafe'), ['lint', '--no-config', example], project, undefined, { rss: false });
  if (lint.status !== 1) throw new Error(`lint from the installed package failed (exit ${lint.status}): ${lint.stderr.slice(0, 2000)}`);
  return {
    tarball: packed.size, packages: packages.length, bytes: bytesUnder(join(project, 'node_modules')), installScripts,
    installMs: install.ms, lintMs: lint.ms,
  };
}

// ---------------------------------------------------------------------------------------------

/** The language server's figures as Markdown lines. */
function lspLines(r) {
  const s = stats(r.edits);
  return [
    `| measure | median (min–max) |`,
    '|---|---|',
    `| diagnostics after opening the ${r.jobs}-job pipeline (the parser's first load included) | ${r.open.toFixed(0)} ms |`,
    `| diagnostics after an edit of it (${r.edits.length} edits) | ${s.median.toFixed(0)} ms (${s.min.toFixed(0)}–${s.max.toFixed(0)} ms) |`,
    '',
    `Each edit adds a job with a background process to the open \`.gitlab-ci.yml\` (${r.diagnostics} diagnostics on it); the time runs from`,
    'the change sent to the diagnostics of that version received, through `ci-bgsafe lsp` over JSON-RPC, with the debounce',
    'set to 0 (an editor waits 200 ms more by default).',
  ];
}

const LSP_JOBS = 500;
const FIX_JOBS = 100;
if (args['lsp-only']) {
  const dir = mkdtempSync(join(os.tmpdir(), 'ci-bgsafe-bench-lsp-'));
  try {
    const r = await benchLsp({ cli, dir, jobs: LSP_JOBS, reps: repsOverride ?? 7 });
    process.stdout.write(`${['## Language server', '', ...lspLines(r)].join('\n')}\n`);
  } finally {
    if (!args.keep) rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

const base = mkdtempSync(join(os.tmpdir(), 'ci-bgsafe-bench-'));
// Node's compile cache (Node 22.1 and later): a folder of the benchmark's own, so that no earlier run
// plays a part; the unmeasured warm-up run fills it, as any earlier run of the same build would
const compileCacheEnv = { NODE_COMPILE_CACHE: join(base, 'compile-cache') };
const started = Date.now();
const log = (s) => process.stderr.write(`${s}\n`);
const bySize = new Map();
const prepared = new Map();
let cold;
let product;
let installed;
let lsp;
let fixed;
try {
  log(`bench: working in ${base}`);
  if (!installOnly) {
    cold = coldStart(base);
    log(`bench: cold start ${cold.lint.median.toFixed(0)} ms, ${cold.pairedLint.median.toFixed(2)}× node -e 0 (${cold.node.median.toFixed(0)} ms)`);
  }
  if (!coldOnly) {
    installed = packageInstall(base);
    log(`bench: the packed tarball installed offline: ${installed.packages} package(s), ${(installed.bytes / 1e6).toFixed(1)} MB, npm install ${installed.installMs.toFixed(0)} ms; lint ${installed.lintMs.toFixed(0)} ms`);
  }
  if (!coldOnly && !installOnly) {
    product = gitlabSized(base);
    log(`bench: a large product's configuration (${product.files} files, ${product.lines} lines): ci-bgsafe ${product.lint.median.toFixed(0)} ms, floor ${product.floor.median.toFixed(0)} ms`);
  }
  for (const size of sizes) {
    const p = prepare(base, size);
    p.load = os.loadavg()[0];
    prepared.set(size, p);
    const s = runSize(p);
    bySize.set(size, s);
    log(`bench: ${size} jobs (${p.lines} lines): ${Object.entries(s).map(([id, r]) => `${id} ${r.time.median.toFixed(0)} ms / ${r.rss.median.toFixed(0)} MB`).join(', ')}`);
  }
  if (!coldOnly && !installOnly) {
    fixed = fixRun(base);
    log(`bench: --fix-dry-run on ${fixed.jobs} jobs: ${fixed.time.median.toFixed(0)} ms`);
    lsp = await benchLsp({ cli, dir: join(base, 'lsp'), jobs: LSP_JOBS, reps: repsOverride ?? (quick ? 5 : 7) });
    log(`bench: language server, ${LSP_JOBS} jobs: diagnostics ${stats(lsp.edits).median.toFixed(0)} ms after an edit`);
  }
} finally {
  if (!args.keep) rmSync(base, { recursive: true, force: true });
}

// ---------------------------------------------------------------------------------------------
// report

const fmtMs = (x) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${x.toFixed(0)} ms`);
const fmtRatio = (x) => (x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);
const check = (ok) => (ok ? 'met' : '**not met**');

function versionOf(cmd, args) {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unavailable';
  }
}
const cpu = (() => {
  try {
    return /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  } catch {
    return os.cpus()[0]?.model;
  }
})();
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const scVersion = hasShellcheck ? /version: (\S+)/.exec(versionOf('shellcheck', ['--version']))?.[1] : 'not installed';
const gclVersion = gclBin ? JSON.parse(readFileSync(require.resolve('gitlab-ci-local/package.json'), 'utf8')).version : 'not installed';

const md = [];
md.push('# Benchmark results', '');
md.push(`Regenerated by \`npm run bench\` (bench/run.mjs) on ${new Date().toISOString().slice(0, 10)}, in ${((Date.now() - started) / 1000).toFixed(0)} s.`);
md.push('');
md.push(`Machine: ${os.availableParallelism?.() ?? os.cpus().length} CPUs (\`nproc\`), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, ${os.type()} ${os.release()}; Node ${process.version}.`);
md.push(`Tools: ci-bgsafe ${pkg.version}, shellcheck ${scVersion}, gitlab-ci-local ${gclVersion}, yaml ${pkg.devDependencies.yaml}, web-tree-sitter ${pkg.devDependencies['web-tree-sitter']}.`);
md.push('');
md.push('Every figure is a whole process (start-up included), timed by wall clock, after one unmeasured warm-up run;');
md.push('the median of several repetitions with the spread (min–max); peak RSS from `/usr/bin/time -f %M`.');
md.push('Repetitions: 7 up to 500 jobs, 5 from 1,000 (the peers, which are slower: 5, 3 and 2 at 5,000).');
md.push('ci-bgsafe and the floor (and, for the cold start, `ci-bgsafe` and `node -e 0`) run in turn, so the ratios against the');
md.push('floor and against `node -e 0` are the medians of the ratios of each such pair: a shared machine that slows down or');
md.push('speeds up between runs moves both sides of a pair alike. The ratio of the two medians is given beside it.');
md.push('');

const headline = [];
if (cold) {
  const r = cold.pairedLint.median;
  headline.push(`| cold start: \`ci-bgsafe lint\` on a ${cold.lines}-line pipeline vs \`node -e 0\` | ${fmtRatio(r)} (${fmtMs(cold.lint.median)} vs ${fmtMs(cold.node.median)}; ratio of the medians ${fmtRatio(cold.lint.median / cold.node.median)}) | ≤ 2× | ${check(r <= 2)} |`);
}
if (product) {
  const t = product.lint.median;
  headline.push(`| a large product's configuration (${product.files} files, ${product.lines.toLocaleString('en-US')} lines, unresolved external includes) | ${fmtMs(t)} (${fmtMs(product.lint.min)}–${fmtMs(product.lint.max)}); ${fmtRatio(product.paired.median)} the floor; ${product.rss.median.toFixed(0)} MB; load ${product.load.toFixed(2)} | < 2 s | ${check(t < 2000)} |`);
}
const biggest = Math.max(...bySize.keys());
const big = bySize.get(biggest);
if (big) {
  const r = big['ci-bgsafe'].paired.median;
  const rm = big['ci-bgsafe'].time.median / big.floor.time.median;
  headline.push(`| ${biggest.toLocaleString('en-US')} jobs: ci-bgsafe vs the floor | ${fmtRatio(r)} (${fmtMs(big['ci-bgsafe'].time.median)} vs ${fmtMs(big.floor.time.median)}; ratio of the medians ${fmtRatio(rm)}; pairs ${fmtRatio(big['ci-bgsafe'].paired.min)}–${fmtRatio(big['ci-bgsafe'].paired.max)}) | ≤ 1.5× | ${check(r <= 1.5)} |`);
  if (bySize.has(500) && biggest === 5000) {
    const lin = big['ci-bgsafe'].time.median / bySize.get(500)['ci-bgsafe'].time.median;
    headline.push(`| linearity: 5,000 jobs vs 500 jobs | ${fmtRatio(lin)} | ≤ 11× | ${check(lin <= 11)} |`);
  }
  const rss = big['ci-bgsafe'].rss.median;
  headline.push(`| peak RSS at ${biggest.toLocaleString('en-US')} jobs | ${rss.toFixed(0)} MB | ≤ 300 MB | ${check(rss <= 300)} |`);
  if (big.shellcheck) {
    const r2 = big.shellcheck.time.median / big['ci-bgsafe'].time.median;
    headline.push(`| ${biggest.toLocaleString('en-US')} jobs: shellcheck on the same scripts vs ci-bgsafe | ci-bgsafe ${fmtRatio(r2)} faster | ≥ 10× | ${check(r2 >= 10)} |`);
  }
  if (big['gitlab-ci-local']) {
    const r3 = big['gitlab-ci-local'].time.median / big['ci-bgsafe'].time.median;
    headline.push(`| ${biggest.toLocaleString('en-US')} jobs: gitlab-ci-local --list vs ci-bgsafe | ci-bgsafe ${fmtRatio(r3)} faster | — | |`);
  }
}
if (installed) {
  headline.push(`| \`npm pack\` tarball (${(installed.tarball / 1e6).toFixed(1)} MB) installed into an empty folder, empty npm cache, \`--offline\` | ${installed.packages} package${installed.packages === 1 ? '' : 's'}, ${(installed.bytes / 1e6).toFixed(1)} MB, install scripts: ${installed.installScripts.join(', ') || 'none'}; \`npm install\` ${fmtMs(installed.installMs)}, then \`lint\` on the example ${fmtMs(installed.lintMs)} | one package | ${check(installed.packages === 1 && !installed.installScripts.length)} |`);
}
if (fixed) {
  headline.push(`| \`lint --fix-dry-run\` on ${fixed.jobs} jobs (${fixed.changed} lines added by fixes; each candidate re-linted in memory) | ${fmtMs(fixed.time.median)} (${fmtMs(fixed.time.min)}–${fmtMs(fixed.time.max)}); load ${fixed.load.toFixed(2)} | — | |`);
}
md.push('## Ratios', '', '| measure | result | target | |', '|---|---|---|---|', ...headline, '');

md.push('## By size', '');
md.push('The machine is shared: the load average (1 min) when each size started is given; a high one means other');
md.push('processes competed for the 2 CPUs and the times of that size are less reliable.');
md.push('');
md.push('| jobs | lines | tool | wall time, median (min–max) | × floor | peak RSS | load |');
md.push('|---:|---:|---|---|---:|---:|---:|');
for (const [size, s] of bySize) {
  const p = prepared.get(size);
  for (const [, r] of Object.entries(s)) {
    md.push(`| ${size.toLocaleString('en-US')} | ${p.lines.toLocaleString('en-US')} | ${r.label} | ${fmtMs(r.time.median)} (${fmtMs(r.time.min)}–${fmtMs(r.time.max)}), n=${r.time.n} | ${fmtRatio(r.time.median / s.floor.time.median)} | ${r.rss.median.toFixed(0)} MB | ${p.load.toFixed(2)} |`);
  }
}
md.push('');
if (lsp) md.push('## Language server', '', ...lspLines(lsp), '');
md.push('## What is measured', '');
md.push('- The pipelines come from `bench/generate.mjs` (deterministic): a main `.gitlab-ci.yml` with `default:`, anchors,');
md.push('  `<<:` merges, `extends` chains, `!reference`, and `include: local` of `ci/part-NNN.yml` files of 100 jobs each;');
md.push('  scripts mix plain commands, `|` and `>` blocks, background starts (`cmd &`, `docker run -d`), traps and `after_script`s.');
md.push('  Every job has a line of its own (a suite, a shard, a service) and a quarter of its plain lines are its own too.');
{
  const p = prepared.get(Math.max(...prepared.keys()));
  if (p) {
    md.push(`  At ${p.size.toLocaleString('en-US')} jobs the runner would run ${p.items.toLocaleString('en-US')} script items, ${p.distinctItems.toLocaleString('en-US')} of them distinct texts`);
    md.push('  (ci-bgsafe parses each distinct item once; the floor parses every job\'s program).');
  }
}
md.push('- A large product\'s configuration (`bench/gitlab-sized.mjs`, deterministic): `.gitlab-ci.yml` including');
md.push('  `.gitlab/ci/*.gitlab-ci.yml` by a wildcard and, unresolved, a project, two templates, a remote file and a component;');
md.push('  a rules file of hidden rule sets merged with `<<:`; per area hidden templates (one used only by other projects),');
md.push('  jobs that `extends` them across files and `!reference` their scripts, and a dev server stopped at the end of its job.');
md.push('- **ci-bgsafe**: `node bin/ci-bgsafe.cjs lint --format json --no-config .gitlab-ci.yml` (the bundled CLI; report to /dev/null).');
md.push('- **floor** (`bench/floor.mjs`): reads every YAML file outside hidden folders, parses it with `yaml` (aliases and merges resolved) and parses each');
md.push('  job\'s written script programs with tree-sitter-bash; no `extends`/`!reference`/include resolution, no analysis, no rules.');
md.push('- **shellcheck**: one `shellcheck -s bash -f json` process over one file per job holding the job\'s resolved');
md.push('  `before_script` + `script` + `after_script` (one process for all files is the cheapest way to run it; actionlint and');
md.push('  gitlab-ci-verify start one per script).');
md.push('- **gitlab-ci-local**: `gitlab-ci-local --list` in a git repository holding the pipeline (it parses, validates against');
md.push('  GitLab\'s JSON schema and resolves the same configuration).');
md.push('- **cold start**: `ci-bgsafe lint` (text format) on the small pipeline against `node -e 0`, interleaved. Node 20 has');
md.push('  no compile cache; on Node 22.1 and later the runs use Node\'s own, filled by the warm-up run (see the README).');
md.push('  These runs are timed without `/usr/bin/time`, whose own start-up would add some 5 ms to both sides of the ratio.');
md.push('- **the package**: `npm pack --ignore-scripts` of the built tree, then `npm install --offline --cache EMPTY ci-bgsafe-X.tgz` in an');
md.push('  empty folder (a dependency to fetch would fail the install), counted with `npm ls --all` and the bytes of the');
md.push('  files under `node_modules`; then the installed `ci-bgsafe lint` on `examples/vpn-deploy/.gitlab-ci.yml`.');
md.push('');
const text = `${md.join('\n')}`;
if (out) {
  writeFileSync(out, text);
  log(`bench: wrote ${relative(process.cwd(), out)}`);
} else {
  process.stdout.write(text);
}
