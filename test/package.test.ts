/**
 * What `npm pack` ships, and the package installed from its tarball alone: one package, no install
 * script, no network, and a command that lints and generates, a library that lints, and type
 * declarations that compile in a TypeScript project with nothing else installed.
 */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const VPN = join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** `npm pack` of the built tree (--ignore-scripts: without rebuilding dist/, which other tests run). */
function pack(args: string[]): { filename: string; files: Array<{ path: string }> } {
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--silent', ...args], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.slice(out.indexOf('[')))[0];
}

describe('the npm package', () => {
  it('contains what the CLI and the library need at run time, and nothing of the tests', () => {
    const files = pack(['--dry-run']).files.map((f) => f.path);
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
    // The library's types are one file: no declaration of an internal module ships.
    expect(files.filter((f) => f.endsWith('.d.ts'))).toEqual(['dist/index.d.ts']);
  }, 120_000);

  /** The tarball installed into an empty project, offline, with an empty cache. */
  let project: string;
  let install: SpawnSyncReturns<string>;
  beforeAll(() => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-pack-'));
    const { filename } = pack(['--pack-destination', dir]);
    project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "private": true, "type": "module" }\n');
    // An empty cache and no network: a dependency to fetch would fail the install.
    install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(dir, 'cache'), join(dir, filename)], { cwd: project, encoding: 'utf8' });
  }, 300_000);

  it('installs from its tarball alone, offline, as one package without install scripts, and runs', () => {
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.status).toBe(0);
    const packages = execFileSync('npm', ['ls', '--all', '--parseable'], { cwd: project, encoding: 'utf8' }).trim().split('\n').slice(1);
    expect(packages).toEqual([join(project, 'node_modules', 'ci-bgsafe')]);
    const manifest = JSON.parse(readFileSync(join(packages[0]!, 'package.json'), 'utf8')) as { dependencies?: object; scripts?: Record<string, string> };
    expect(manifest.dependencies).toBeUndefined();
    expect(Object.keys(manifest.scripts ?? {}).filter((s) => /^(pre|post)?install$|^prepare$/.test(s))).toEqual([]);

    const bin = join(project, 'node_modules', '.bin', 'ci-bgsafe');
    const lint = spawnSync(bin, ['lint', '--no-config', VPN], { cwd: project, encoding: 'utf8' });
    expect(lint.stderr).toBe('');
    expect(lint.stdout).toMatch(/✖ 7 problems/);
    expect(lint.status).toBe(1);
    const gen = spawnSync(bin, ['gen', '--service', 'db=postgres', '--ready', 'db=tcp:127.0.0.1:5432'], { cwd: project, encoding: 'utf8' });
    expect(gen.stderr).toBe('');
    expect(gen.stdout).toContain('ci_bgsafe_start db');
    expect(gen.status).toBe(0);
    // The library, imported by name from the project.
    const lib = spawnSync(process.execPath, ['--input-type=module', '-e', `const { lint } = await import('ci-bgsafe'); const r = await lint([${JSON.stringify(VPN)}], { noConfig: true }); console.log(r.findings.length);`], { cwd: project, encoding: 'utf8' });
    expect(lib.stderr).toBe('');
    expect(lib.stdout.trim()).toBe('7');
  }, 300_000);

  it('has type declarations that compile in a strict TypeScript project with nothing else installed', () => {
    // Nothing but ci-bgsafe can be found from the project: not the packages it bundles, nor this repository's.
    const resolveFromProject = createRequire(join(project, 'consumer.ts')).resolve;
    for (const bundled of ['yaml', 'web-tree-sitter', 'picocolors', 'commander', 'vscode-languageserver']) {
      expect(() => resolveFromProject(bundled), bundled).toThrow();
    }
    // One program: the API used as documented (here and in the README's example), and used wrongly. The
    // only errors are the wrong file's, each at its line: the declarations compile, and the check does
    // report what is wrong.
    writeFileSync(join(project, 'consumer.ts'), CONSUMER);
    const example = /^## Library\n\n```ts\n([^]*?)^```$/m.exec(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(example, 'the README\'s example of the library').not.toBeNull();
    writeFileSync(join(project, 'readme.ts'), example![1]!);
    writeFileSync(join(project, 'wrong.ts'), WRONG);
    const r = tsc(project, ['consumer.ts', 'readme.ts', 'wrong.ts']);
    expect(r.diagnostics).toEqual([
      expect.stringMatching(/^wrong\.ts\(4,7\): error TS2322: Type 'number' is not assignable to type 'string'\./),
      expect.stringMatching(/^wrong\.ts\(5,34\): error TS2561: .*'noconfig' does not exist in type 'LintOptions'/),
      expect.stringMatching(/^wrong\.ts\(6,7\): error TS2322: Type '"loud"' is not assignable to type 'Severity'\./),
      expect.stringMatching(/^wrong\.ts\(7,\d+\): error TS2551: Property 'txt' does not exist on type 'SyntaxNode'\. Did you mean 'text'\?/),
    ]);
    expect(r.status).toBe(2);
    // The declarations it read: the package's one file, TypeScript's and Node's, nothing of the repository's packages.
    const given = ['typescript/lib/', '@types/node/', 'undici-types/'].map((p) => join(ROOT, 'node_modules', p));
    const read = r.listed.filter((f) => !given.some((p) => f.startsWith(p)));
    expect(read.sort()).toEqual(['consumer.ts', 'node_modules/ci-bgsafe/dist/index.d.ts', 'readme.ts', 'wrong.ts'].map((f) => join(project, f)));
  }, 120_000);
});

/**
 * `tsc` of this repository on files of `project`, as a strict project with `module: nodenext` reads
 * them, checking every declaration file (`skipLibCheck` off, TypeScript's default), with Node's types
 * and the language's library without the browser's (`lib` as a Node project sets it).
 */
function tsc(project: string, files: string[]): { status: number | null; diagnostics: string[]; listed: string[] } {
  const r = spawnSync(process.execPath, [
    TSC, '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022', '--noEmit',
    '--skipLibCheck', 'false', '--typeRoots', join(ROOT, 'node_modules', '@types'), '--types', 'node', '--pretty', 'false',
    '--listFiles', ...files,
  ], { cwd: project, encoding: 'utf8' });
  // --listFiles prints the files read, one a line, after the diagnostics (`FILE(LINE,COL): error TS…`,
  // continued on indented lines).
  const lines = r.stdout.split('\n').filter(Boolean);
  const diagnostic = (l: string) => /^\S.*\(\d+,\d+\): error TS\d+/.test(l) || /^\s/.test(l);
  return { status: r.status, diagnostics: lines.filter(diagnostic), listed: lines.filter((l) => !diagnostic(l)).map((l) => resolve(project, l)) };
}

/** A program using the library's API, each value typed by the declarations. */
const CONSUMER = `
import {
  defaultConfig, findRule, format, FORMATS, generate, InputError, lint, lintFile, loadConfig, RULES, setHost,
  type Config, type FileResult, type Finding, type FormatName, type GenSpec, type Host, type LintOptions,
  type LintReport, type Rule, type RuleContext, type Severity,
} from 'ci-bgsafe';

const config: Config = { ...defaultConfig(), rules: { BG001: 'error', BG012: 'off' } };
const options: LintOptions = { noConfig: true, executor: 'shell' };
const report: LintReport = await lint(['.gitlab-ci.yml'], options);
const errors: Finding[] = report.findings.filter((f) => f.severity === 'error');
const result: FileResult = lintFile('.gitlab-ci.yml', config, options);
const where: string[] = result.findings.map((f) => \`\${f.file}:\${f.line}:\${f.column} \${f.ruleId} \${f.jobs.join(',')}\`);
const fixable: number = report.findings.flatMap((f) => f.fix?.edits ?? []).length;
const worst: Severity | undefined = report.findings[0]?.severity;
const name: FormatName = FORMATS[1]!;
const json: string = format(name, report, { rules: RULES.map((r) => r.meta), color: false });
const spec: GenSpec = { services: [{ name: 'db', command: 'postgres', ready: 'tcp:127.0.0.1:5432' }] };
const preamble: string = await generate(spec, { format: 'job', shell: 'sh' });

// A rule of one's own, reading the parsed script of each job.
const noSleep: Rule = {
  meta: { ...findRule('BG012')!.meta, id: 'X001', name: 'no-sleep' },
  check(ctx: RuleContext): void {
    for (const cmd of ctx.job.main.facts.cmds) {
      if (cmd.name !== 'sleep') continue;
      const parent: string | undefined = cmd.node.parent?.type;
      const words: number = cmd.node.descendantsOfType('word').length;
      ctx.report({ program: 'main', start: cmd.start, end: cmd.end, message: \`\${cmd.node.text} (\${words} words) in \${parent ?? 'the script'}\` });
    }
  },
};
const own: LintReport = await lint(['.gitlab-ci.yml'], { ...options, rules: [noSleep, ...RULES] });

// A host of one's own: the core reads no file but through it.
const noFiles: Host = {
  cwd: () => '/',
  stat: () => undefined,
  realpath: (path) => path,
  readFile: (path) => {
    throw Object.assign(new Error(\`ENOENT: \${path}\`), { code: 'ENOENT' });
  },
  glob: () => [],
  parserFiles: () => ({ locateFile: (file) => file, grammar: new Uint8Array(0) }),
  template: (file) => file,
  version: () => '0.0.0',
};
setHost(noFiles);

try {
  loadConfig('.ci-bgsafe.yml', RULES.map((r) => r.meta));
} catch (e) {
  if (e instanceof InputError) console.error(e.message);
}
console.log(errors, where, fixable, worst, json, preamble, own.findings.length);
`;

/**
 * The same API used wrongly: a number where a string is declared, an unknown option, a severity that is
 * none, a property a syntax node does not have.
 */
const WRONG = `
import { lint, RULES, type Finding, type Rule, type Severity } from 'ci-bgsafe';
const findings: Finding[] = [];
const line: string = findings[0]!.line;
await lint(['.gitlab-ci.yml'], { noconfig: true });
const severity: Severity = 'loud';
const rule: Rule = { meta: RULES[0]!.meta, check: (ctx) => console.log(ctx.job.main.facts.cmds[0]?.node.txt) };
console.log(line, severity, rule);
`;

