/**
 * What `npm pack` ships, and the package installed from its tarball alone: one package, no install
 * script, no network, and a command that lints and generates and a library that lints.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const VPN = join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml');

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
  }, 120_000);

  it('installs from its tarball alone, offline, as one package without install scripts, and runs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-pack-'));
    const { filename } = pack(['--pack-destination', dir]);
    const project = join(dir, 'project');
    mkdirSync(project);
    writeFileSync(join(project, 'package.json'), '{ "private": true }\n');
    // An empty cache and no network: a dependency to fetch would fail the install.
    const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--cache', join(dir, 'cache'), join(dir, filename)], { cwd: project, encoding: 'utf8' });
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
});
