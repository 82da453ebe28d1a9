import { mkdtempSync, readFileSync, writeFileSync, cpSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { RULES } from '../../src/rules/index.js';
import { fakeIO } from './helpers.js';

const ROOT = join(import.meta.dirname, '..', '..');
const VPN = join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml');

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'ci-bgsafe-cli-'));
}

describe('ci-bgsafe lint', () => {
  it('reports the example with exit code 1 and a summary line', async () => {
    const io = fakeIO(ROOT);
    const code = await main(['lint', VPN, '--no-config'], io);
    expect(code).toBe(1);
    expect(io.stdout).toContain('examples/vpn-deploy/.gitlab-ci.yml:16:7: warning');
    expect(io.stdout).toContain('[BG004/trap-misses-cancel]');
    expect(io.stdout).toMatch(/✖ 7 problems \(0 errors, 6 warnings, 1 info\) in 1 file/);
    expect(io.stdout).not.toContain('\u001b['); // no colours without a TTY
  });

  it('passes with exit code 0 when the threshold is above the findings', async () => {
    const io = fakeIO(ROOT);
    expect(await main(['lint', VPN, '--no-config', '--severity-threshold', 'error'], io)).toBe(0);
  });

  it('fails on too many warnings with --max-warnings', async () => {
    const io = fakeIO(ROOT);
    expect(await main(['lint', VPN, '--no-config', '--severity-threshold', 'error', '--max-warnings', '3'], io)).toBe(1);
    expect(io.stderr).toContain('6 warnings, more than --max-warnings 3');
  });

  it('uses colours on a TTY, and none with NO_COLOR', async () => {
    const tty = fakeIO(ROOT, { isTTY: true });
    await main(['lint', VPN, '--no-config'], tty);
    expect(tty.stdout).toContain('\u001b[');
    const plain = fakeIO(ROOT, { isTTY: true, env: { NO_COLOR: '1' } });
    await main(['lint', VPN, '--no-config'], plain);
    expect(plain.stdout).not.toContain('\u001b[');
  });

  it('prints JSON with 1-based positions', async () => {
    const io = fakeIO(ROOT);
    await main(['lint', VPN, '--no-config', '-f', 'json'], io);
    const json = JSON.parse(io.stdout);
    expect(json.version).toBe(1);
    expect(json.findings[0]).toMatchObject({ ruleId: 'BG005', file: 'examples/vpn-deploy/.gitlab-ci.yml', line: 9, column: 7, jobs: ['deploy'], section: 'script' });
  });

  it('writes the report to --output and the text summary to the terminal', async () => {
    const dir = tempDir();
    const io = fakeIO(ROOT);
    const out = join(dir, 'gl-code-quality-report.json');
    expect(await main(['lint', VPN, '--no-config', '-f', 'codequality', '-o', out], io)).toBe(1);
    const cq = JSON.parse(readFileSync(out, 'utf8'));
    expect(cq).toHaveLength(7);
    expect(cq[0].location).toMatchObject({ path: 'examples/vpn-deploy/.gitlab-ci.yml', lines: { begin: 9 } });
    expect(io.stdout).toContain('✖ 7 problems');
  });

  it('reads standard input with -', async () => {
    const io = fakeIO(ROOT, { stdin: 'job:\n  tags: [shell]\n  script:\n    - ./server &\n' });
    expect(await main(['lint', '-', '--no-config'], io)).toBe(1);
    expect(io.stdout).toContain('<stdin>:4:7: error');
  });

  it('refuses to fix standard input in place (exit 2), and shows the diff with --fix-dry-run', async () => {
    const yaml = 'job:\n  tags: [shell]\n  script:\n    - trap "kill $P" ERR EXIT\n    - ./server > s.log 2>&1 &\n    - P=$!\n';
    const fix = fakeIO(ROOT, { stdin: yaml });
    expect(await main(['lint', '-', '--no-config', '--fix'], fix)).toBe(2);
    expect(fix.stderr).toContain('standard input cannot be fixed in place');
    const dry = fakeIO(ROOT, { stdin: yaml });
    await main(['lint', '-', '--no-config', '--fix-dry-run'], dry);
    expect(dry.stdout).toContain('+    - set -E; trap');
  });

  it('lints .gitlab-ci.yml in the current folder by default', async () => {
    const dir = tempDir();
    cpSync(VPN, join(dir, '.gitlab-ci.yml'));
    const io = fakeIO(dir);
    expect(await main(['lint'], io)).toBe(1);
    expect(io.stdout).toContain('.gitlab-ci.yml:9:7');
  });

  it.each([
    ['a missing file', ['lint', 'nope.yml'], /nope\.yml:1:1: error file not found/],
    ['invalid YAML', ['lint', 'bad.yml'], /bad\.yml:3:1: error invalid YAML/],
    ['a directory', ['lint', 'dir'], /dir:1:1: error/],
  ])('exits 2 on %s, with file:line:col', async (_name, args, pattern) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.yml'), 'job:\n  script: [unclosed\n');
    mkdirSync(join(dir, 'dir'));
    const io = fakeIO(dir);
    expect(await main([...args, '--no-config'], io)).toBe(2);
    expect(io.stdout + io.stderr).toMatch(pattern);
    expect(io.stdout + io.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('exits 2 on a bad configuration file, naming its line and column', async () => {
    const dir = tempDir();
    cpSync(VPN, join(dir, '.gitlab-ci.yml'));
    writeFileSync(join(dir, '.ci-bgsafe.yml'), 'rules:\n  BG001: loud\n');
    const io = fakeIO(dir);
    expect(await main(['lint'], io)).toBe(2);
    expect(io.stdout + io.stderr).toMatch(/\.ci-bgsafe\.yml:2:10: .*BG001/);
  });

  it('applies severities and the threshold from the configuration file', async () => {
    const dir = tempDir();
    cpSync(VPN, join(dir, '.gitlab-ci.yml'));
    writeFileSync(join(dir, '.ci-bgsafe.yml'), 'rules:\n  broad-kill: off\n  BG012: off\nseverityThreshold: error\n');
    const io = fakeIO(dir);
    expect(await main(['lint'], io)).toBe(0);
    expect(io.stdout).not.toContain('BG010');
    expect(io.stdout).toContain('✖ 4 problems (0 errors, 4 warnings, 0 info)');
  });

  it('takes the threshold from the configuration of the linted file, not of the working folder', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'sub'));
    cpSync(VPN, join(dir, 'sub', '.gitlab-ci.yml'));
    writeFileSync(join(dir, 'sub', '.ci-bgsafe.yml'), 'severityThreshold: error\n');
    expect(await main(['lint', 'sub/.gitlab-ci.yml'], fakeIO(dir))).toBe(0);
    // the option still wins
    expect(await main(['lint', 'sub/.gitlab-ci.yml', '--severity-threshold', 'warning'], fakeIO(dir))).toBe(1);
  });

  it('applies the strictest settings when linted files have different configurations', async () => {
    const dir = tempDir();
    for (const [sub, config] of [['lax', 'severityThreshold: error\n'], ['strict', 'severityThreshold: error\nmaxWarnings: 2\n']] as const) {
      mkdirSync(join(dir, sub));
      cpSync(VPN, join(dir, sub, '.gitlab-ci.yml'));
      writeFileSync(join(dir, sub, '.ci-bgsafe.yml'), config);
    }
    expect(await main(['lint', 'lax/.gitlab-ci.yml'], fakeIO(dir))).toBe(0);
    const io = fakeIO(dir);
    expect(await main(['lint', 'lax/.gitlab-ci.yml', 'strict/.gitlab-ci.yml'], io)).toBe(1);
    expect(io.stderr).toContain('more than --max-warnings 2');
  });

  it('lints the GitLab CI/CD files of a folder, and each file once', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, '.git'));
    const bad = 'job:\n  tags: [shell]\n  script:\n    - ./server &\n';
    for (const f of ['.gitlab-ci.yml', 'templates/a.yml', 'templates/b/template.yml', '.gitlab/ci/c.yml', 'sub/.gitlab-ci.yml']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), bad);
    }
    // YAML that is not a pipeline: not linted
    for (const f of ['docker-compose.yml', 'templates/b/values.yml', 'charts/x/templates/d.yaml', 'node_modules/p/.gitlab-ci.yml']) {
      mkdirSync(join(dir, f, '..'), { recursive: true });
      writeFileSync(join(dir, f), 'services: [1, 2\n');
    }
    const io = fakeIO(dir);
    expect(await main(['lint', '-f', 'json', '.', '.gitlab-ci.yml'], io)).toBe(1);
    const files = (JSON.parse(io.stdout) as { findings: Array<{ file: string; ruleId: string }> }).findings
      .filter((f) => f.ruleId === 'BG001')
      .map((f) => f.file);
    expect(files).toEqual(['.gitlab-ci.yml', '.gitlab/ci/c.yml', 'sub/.gitlab-ci.yml', 'templates/a.yml', 'templates/b/template.yml']);
    const sub = fakeIO(dir);
    expect(await main(['lint', '-f', 'json', 'templates'], sub)).toBe(1);
    expect((JSON.parse(sub.stdout) as { findings: Array<{ file: string; ruleId: string }> }).findings.filter((f) => f.ruleId === 'BG001').map((f) => f.file)).toEqual([
      'templates/a.yml',
      'templates/b/template.yml',
    ]);
  });

  it('exits 2 on an unknown option or format', async () => {
    expect(await main(['lint', '--frobnicate'], fakeIO(ROOT))).toBe(2);
    const io = fakeIO(ROOT);
    expect(await main(['lint', '-f', 'xml'], io)).toBe(2);
    expect(io.stderr).toContain('xml');
  });
});

describe('other commands', () => {
  it('prints the version and help', async () => {
    const v = fakeIO(ROOT);
    expect(await main(['--version'], v)).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const h = fakeIO(ROOT);
    expect(await main(['lint', '--help'], h)).toBe(0);
    expect(h.stdout).toContain('Exit codes');
  });

  it('lists every rule', async () => {
    const io = fakeIO(ROOT);
    expect(await main(['rules'], io)).toBe(0);
    const lines = io.stdout.trim().split('\n');
    expect(lines.map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual(RULES.map((r) => `${r.meta.id} ${r.meta.name} ${r.meta.defaultSeverity}`));
  });

  it('init writes a configuration that loads, and refuses to overwrite it', async () => {
    const dir = tempDir();
    const io = fakeIO(dir);
    expect(await main(['init'], io)).toBe(0);
    expect(existsSync(join(dir, '.ci-bgsafe.yml'))).toBe(true);
    expect(readFileSync(join(dir, '.ci-bgsafe.yml'), 'utf8')).toMatch(/^# yaml-language-server: \$schema=/);
    cpSync(VPN, join(dir, '.gitlab-ci.yml'));
    expect(await main(['lint'], fakeIO(dir))).toBe(1);
    const again = fakeIO(dir);
    expect(await main(['init'], again)).toBe(2);
    expect(again.stderr).toContain('already exists');
  });
});
