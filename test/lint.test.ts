import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config/index.js';
import { lint, lintFile } from '../src/lint.js';
import { initShellParser } from '../src/shell/parser.js';
import { Parses } from '../src/shell/parses.js';

const FIX = join(import.meta.dirname, 'fixtures');

describe('lint', () => {
  it('reports nothing on ordinary scripts (quotes, operators, heredocs, waits, wrappers, split if, Windows)', async () => {
    const r = await lint([join(FIX, 'lint', 'no-false-alarms.yml')], { cwd: FIX, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} [${f.jobs}]`)).toEqual([]);
  });

  it('reports a line reached through an alias and a !reference once, where it is written, with every job', async () => {
    const r = await lint([join(FIX, 'lint', 'reuse.yml')], { cwd: FIX, noConfig: true });
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} [${f.jobs.join(',')}]`)).toEqual([
      '4:5 BG001 [a,b]',
      '4:5 BG009 [a,b]',
      '8:7 BG001 [a,b]',
    ]);
  });

  it("reports the seed blog's VPN job: BG004, BG005, BG009, BG010, BG012, BG014 at their lines", async () => {
    const file = join(FIX, '..', '..', 'examples', 'vpn-deploy', '.gitlab-ci.yml');
    const r = await lint([file], { cwd: FIX, noConfig: true });
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual([
      '9:7 BG005',
      '9:7 BG009',
      '9:7 BG014',
      '9:82 BG012',
      '13:9 BG010',
      '16:7 BG004',
      '18:7 BG010',
    ]);
  });

  it("carries each fixable finding's fix as a title and edits on the source text, and the library it needs", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lint-'));
    const file = join(dir, '.gitlab-ci.yml');
    const text = 'test:\n  tags: [shell]\n  script:\n    - ./mock-server --port 8080 &\n    - npm test\n';
    writeFileSync(file, text);
    const report = await lint([file], { cwd: FIX, noConfig: true });
    const bg001 = report.findings.find((f) => f.ruleId === 'BG001')!;
    expect(bg001.fixable).toBe(true);
    const item = text.indexOf('    - ./mock');
    const cmd = text.indexOf('./mock');
    expect(bg001.fix).toEqual({
      title: 'Start it with ci_bgsafe_start, which always stops it',
      edits: [
        { file, range: [item, item], text: '    - !reference [.ci-bgsafe, before_script]\n' },
        { file, range: [cmd, text.indexOf('&') + 1], text: 'ci_bgsafe_start mock-server -- ./mock-server --port 8080' },
      ],
      library: 'bash',
    });
    const bg009 = report.findings.find((f) => f.ruleId === 'BG009')!;
    expect(bg009.fix).toEqual({
      title: 'Send its output to a log file',
      edits: [
        { file, range: [cmd, cmd], text: 'mkdir -p "${CI_PROJECT_DIR:-.}/.ci-bgsafe"; ' },
        { file, range: [text.indexOf(' &'), text.indexOf(' &')], text: ' >"${CI_PROJECT_DIR:-.}/.ci-bgsafe/mock-server.log" 2>&1' },
      ],
    });
  });

  it('imports neither the fixer nor the generator', () => {
    const seen = new Set<string>();
    const visit = (path: string): void => {
      if (seen.has(path)) return;
      seen.add(path);
      const code = readFileSync(path, 'utf8');
      for (const m of code.matchAll(/^(?:import|export)\b[^;]*?\bfrom '(\.[^']+)'|\bimport\('(\.[^']+)'\)/gm)) {
        const spec = (m[1] ?? m[2])!.replace(/\.js$/, '.ts');
        const target = resolve(dirname(path), spec);
        if (existsSync(target)) visit(target);
      }
    };
    const src = resolve(import.meta.dirname, '..', 'src');
    visit(join(src, 'lint.ts'));
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].map((p) => relative(src, p)).filter((p) => p.startsWith('fix/') || p.startsWith('gen/'))).toEqual([]);
  });

  it('holds no parsed program once it returns, trap handlers included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lint-'));
    const file = join(dir, '.gitlab-ci.yml');
    const job = (n: number) => `j${n}:\n  tags: [shell]\n  script:\n    - ./server-${n} &\n    - trap 'kill %1; echo done ${n}' EXIT\n`;
    writeFileSync(file, `default:\n  before_script: [echo shared]\n${[1, 2, 3].map(job).join('')}`);
    await initShellParser();
    const parses = new Parses();
    const r = lintFile(file, defaultConfig(), { cwd: dir, noConfig: true }, undefined, parses);
    expect(r.findings.length).toBeGreaterThan(0);
    expect(parses.size).toBe(0);
  });

  it('keeps linting the other files when one is bad', async () => {
    const r = await lint([join(FIX, 'lint', 'missing.yml'), join(FIX, 'lint', 'reuse.yml')], { cwd: FIX, noConfig: true });
    expect(r.errors.map((e) => e.code)).toEqual(['file-not-found']);
    expect(r.findings.length).toBeGreaterThan(0);
  });
});

describe('inheritance', () => {
  it('blames a default before_script only on the jobs that inherit it', async () => {
    const r = await lint([join(FIX, 'lint', 'inherit.yml')], { cwd: FIX, noConfig: true });
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} [${f.jobs.join(',')}]`)).toEqual(['4:7 BG001 [inherits]']);
  });
});

describe('positions', () => {
  it('points at the statement in plain, quoted, literal and folded scalars', async () => {
    const r = await lint([join(FIX, 'lint', 'positions.yml')], { cwd: FIX, noConfig: true, rules: [(await import('../src/rules/BG001.js')).BG001] });
    expect(r.findings.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} [${f.jobs}]`)).toEqual([
      '5:19-5:35 [plain]',
      '9:21-9:34 [double-quoted]',
      '13:8-14:23 [single-quoted]',
      '20:9-20:27 [literal]',
      '26:7-26:23 [literal-strip]',
      '32:7-32:24 [folded]',
      '39:7-39:30 [folded-strip]',
      '44:7-44:26 [multiline-plain]',
    ]);
  });

  it("reports a statement the parser starts on a folded item's trailing newline at the next item, where it is written", async () => {
    const text = ['j:', '  tags: [shell]', '  script:', '    - >', '      sleep 300 &', '    - "|a&"', ''].join('\n');
    const r = await lint(['-'], { noConfig: true, stdin: { text, name: 'ci.yml' }, rules: [(await import('../src/rules/BG001.js')).BG001] });
    expect(r.findings.map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn} ${f.message.slice(0, 6)}`)).toEqual([
      '5:7-5:18 `sleep',
      '6:8-6:11 `|a` r',
    ]);
  });
});

describe("the generator's library", () => {
  it('manages its own services, not a plain background command beside them', async () => {
    const r = await lint([join(FIX, 'lint', 'library.yml')], { cwd: FIX, noConfig: true });
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toEqual(['20:7 BG001']);
  });
});
