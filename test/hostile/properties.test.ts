/**
 * Property-based tests: random pipelines from a grammar of jobs, anchors, `<<:` merges, `extends`,
 * `!reference`, `default:` and script snippets (backgrounds, traps, kills, quotes, unicode, `$( )`,
 * `if` split across items) written in every scalar style.
 *
 * - linting never throws (bad input is a diagnostic, never an exception);
 * - every finding lies inside the file and its span holds the statement it names;
 * - the JSON report always validates against schemas/report.schema.json;
 * - `--fix` output always loads again, fixing it again changes nothing, and only lines of script
 *   sections change.
 */
import { diffLines } from 'diff';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import { fixText } from '../../src/fix/index.js';
import { format } from '../../src/format/index.js';
import validateReport from '../../src/generated/report.validate.js';
import { loadPipeline } from '../../src/gitlab/index.js';
import { lint } from '../../src/lint.js';
import { RULES } from '../../src/rules/index.js';
import type { Finding } from '../../src/types.js';

/** More runs for a deeper search: CI_BGSAFE_PROPERTY_RUNS=2000 npx vitest run test/hostile */
const NUM_RUNS = Number(process.env.CI_BGSAFE_PROPERTY_RUNS ?? 150);
const FIXABLE = new Set(RULES.filter((r) => r.meta.fixable).map((r) => r.meta.id));
const FILE = 'ci.yml';

// ---------------------------------------------------------------------------------------------
// the grammar

/** Commands that may appear in findings: a finding naming one of them must point at text holding it. */
const COMMANDS = ['sleep', 'npm', 'python3', 'redis-server', 'Xvfb', 'docker', 'nohup', 'setsid', 'chromedriver', 'tail', 'socat'];

/** Complete statements: a finding about one of them lies within its own item. */
const COMPLETE = [
  'sleep 300 &',
  'npm start &',
  'npm start >/dev/null 2>&1 &',
  'python3 -m http.server 8080 > server.log 2>&1 &',
  'redis-server --port 6380 & echo "started ünïcödé ✓"',
  'Xvfb :99&',
  'docker run -d --name db postgres:16',
  'docker compose up -d',
  'nohup chromedriver --port=4444 &',
  'setsid socat TCP-LISTEN:9000 - &',
  '( tail -f /dev/null & )',
  'sleep 60 & disown',
  'SERVER_PID=$!',
  'PID=$(cat server.pid)',
  'trap \'kill "$SERVER_PID"\' EXIT',
  'trap cleanup EXIT TERM INT',
  'trap "docker rm -f db" EXIT',
  'cleanup() { kill %1 2>/dev/null || true; }',
  'kill "$SERVER_PID"',
  'wait',
  'pkill -f http.server',
  'set -Eeuo pipefail',
  'echo "it\'s $(date +%s) \\"quoted\\""',
  "echo 'single $HOME' \"double $HOME\"",
  '# a comment &',
  'for i in 1 2 3; do sleep "$i" & done',
  'curl -fsS http://localhost:8080/ || exit 1',
];

const complete = fc.constantFrom(...COMPLETE);

/** Anything: statements split across items (`if`/`then`/`fi`), and random text that may continue onto the next item. */
const anything = fc.oneof(
  { arbitrary: complete, weight: 4 },
  { arbitrary: fc.constantFrom('if [ -n "$CI" ]; then', 'fi', 'then echo', 'sleep 5 &&', 'npm start |'), weight: 1 },
  {
    arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', ' ', '&', ';', '|', '$', '(', ')', '"', "'", '\\', '{', '}', 'é', '✓', '\t', '#', ':'), maxLength: 24 }),
    weight: 2,
  },
);

type Style = 'plain' | 'single' | 'double' | 'literal' | 'folded';
const style = fc.constantFrom<Style>('plain', 'single', 'double', 'literal', 'folded');

const PLAIN_OK = /^[A-Za-z_][^\n:#'"{}[\],&*!|>%@`]*$/;

/** A YAML sequence item holding `text`, in `style` when that style can hold it. */
function item(text: string, s: Style, indent: string): string {
  if (s === 'plain' && PLAIN_OK.test(text) && !/\s$/.test(text)) return `${indent}- ${text}`;
  if (s === 'single' && !/[\n\t]/.test(text)) return `${indent}- '${text.replace(/'/g, "''")}'`;
  if ((s === 'literal' || s === 'folded') && text.trim() !== '' && !/^\s|\s$|\t/.test(text)) {
    // folded text on one line folds to itself
    return `${indent}- ${s === 'literal' ? '|' : '>'}\n${indent}  ${text}`;
  }
  return `${indent}- ${JSON.stringify(text)}`;
}


interface Spec {
  templates: Array<{ before: [string, Style][]; script: [string, Style][] }>;
  anchor: [string, Style][] | null;
  defaults: { before: [string, Style][]; after: [string, Style][] } | null;
  jobs: Array<{
    extendsT: number | null;
    merge: boolean;
    reference: number | null;
    useAnchor: boolean;
    before: [string, Style][] | null;
    script: [string, Style][];
    after: [string, Style][] | null;
    tags: 'shell' | 'docker' | 'none';
    image: string | null;
    scriptAsString: boolean;
  }>;
}

function specOf(snippet: fc.Arbitrary<string>): fc.Arbitrary<Spec> {
  const items = fc.array(fc.tuple(snippet, style), { minLength: 0, maxLength: 6 });
  return fc.record({
  templates: fc.array(fc.record({ before: items, script: items }), { maxLength: 3 }),
  anchor: fc.option(items, { nil: null }),
  defaults: fc.option(fc.record({ before: items, after: items }), { nil: null }),
  jobs: fc.array(
    fc.record({
      extendsT: fc.option(fc.nat(2), { nil: null }),
      merge: fc.boolean(),
      reference: fc.option(fc.nat(2), { nil: null }),
      useAnchor: fc.boolean(),
      before: fc.option(items, { nil: null }),
      script: items,
      after: fc.option(items, { nil: null }),
      tags: fc.constantFrom('shell' as const, 'docker' as const, 'none' as const),
      image: fc.constantFrom(null, 'node:20', 'alpine:3.20', 'mcr.microsoft.com/powershell'),
      scriptAsString: fc.boolean(),
    }),
    { minLength: 1, maxLength: 5 },
  ),
  });
}

/** Pipelines of complete statements only, and pipelines of anything. */
const cleanSpec = specOf(complete).map((s) => ({ s, clean: true }));
const anySpec = specOf(anything).map((s) => ({ s, clean: false }));
const spec = fc.oneof(cleanSpec, anySpec);

function list(key: string, xs: [string, Style][], indent: string): string[] {
  if (!xs.length) return [`${indent}${key}: []`];
  return [`${indent}${key}:`, ...xs.map(([t, s]) => item(t, s, `${indent}  `))];
}

/** Renders a spec as the text of a `.gitlab-ci.yml`. */
function render(s: Spec): string {
  const out: string[] = ['# generated'];
  if (s.defaults) out.push('default:', ...list('before_script', s.defaults.before, '  '), ...list('after_script', s.defaults.after, '  '));
  out.push('.merged: &merged', '  variables:', '    APP: "1"', '  retry: 1');
  if (s.anchor) out.push('.anchored:', `  script: &anchored${s.anchor.length ? '' : ' []'}`, ...s.anchor.map(([t, st]) => item(t, st, '    ')));
  s.templates.forEach((t, i) => {
    out.push(`.tpl-${i}:`, ...list('before_script', t.before, '  '), ...list('script', t.script, '  '));
  });
  s.jobs.forEach((j, i) => {
    out.push(`job-${i}:`);
    if (j.merge) out.push('  <<: *merged');
    if (j.extendsT !== null && j.extendsT < s.templates.length) out.push(`  extends: .tpl-${j.extendsT}`);
    if (j.tags !== 'none') out.push(`  tags: [${j.tags}]`);
    if (j.image) out.push(`  image: ${j.image}`);
    if (j.before) out.push(...list('before_script', j.before, '  '));
    const first = j.script[0];
    if (j.scriptAsString && first && j.script.length === 1) {
      out.push(`  script: ${JSON.stringify(first[0])}`);
    } else {
      out.push('  script:');
      if (j.reference !== null && j.reference < s.templates.length) out.push(`    - !reference [.tpl-${j.reference}, script]`);
      if (j.useAnchor && s.anchor) out.push('    - *anchored');
      out.push(...j.script.map(([t, st]) => item(t, st, '    ')));
      if (out[out.length - 1] === '  script:') out.push('    - echo nothing');
    }
    if (j.after) out.push(...list('after_script', j.after, '  '));
  });
  return `${out.join('\n')}\n`;
}

// ---------------------------------------------------------------------------------------------
// checks

/** 0-based offset of a 1-based line:column. */
function offsetOf(text: string, line: number, column: number): number {
  let o = 0;
  for (let l = 1; l < line; l++) o = text.indexOf('\n', o) + 1;
  return o + column - 1;
}

function checkFinding(text: string, f: Finding, checkNames = true): void {
  const lines = text.split('\n');
  const where = `${f.ruleId} at ${f.line}:${f.column}-${f.endLine}:${f.endColumn}: ${f.message}\n${text}`;
  expect(f.line, where).toBeGreaterThanOrEqual(1);
  expect(f.endLine, where).toBeLessThanOrEqual(lines.length);
  expect(f.endLine > f.line || (f.endLine === f.line && f.endColumn > f.column), where).toBe(true);
  expect(f.column, where).toBeLessThanOrEqual(lines[f.line - 1]!.length);
  expect(f.endColumn - 1, where).toBeLessThanOrEqual(lines[f.endLine - 1]!.length);
  const span = text.slice(offsetOf(text, f.line, f.column), offsetOf(text, f.endLine, f.endColumn));
  expect(span.trim(), where).not.toBe('');
  expect(/^\s/.test(span), where).toBe(false);
  // a finding that names a command points at text that holds it
  // (a message may name other commands too, as context: one of the named commands must be there)
  const named = [...f.message.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.split(/\s+/)[0]!).filter((w) => COMMANDS.includes(w));
  if (checkNames && named.length) expect(named.some((w) => span.includes(w)), `${where}\nnames ${named.join(', ')}`).toBe(true);
}

/** Line numbers (1-based) of every script scalar in the file: the only lines a fix may change. */
function scriptLines(text: string): Set<number> {
  const lines = new Set<number>();
  const p = loadPipeline(FILE, { text });
  const lineOf = (o: number): number => text.slice(0, o).split('\n').length;
  for (const job of p.jobs) {
    for (const it of [...job.before_script, ...job.script, ...job.after_script]) {
      for (let l = lineOf(it.scalar.start); l <= lineOf(Math.max(it.scalar.start, it.scalar.end - 1)); l++) lines.add(l);
    }
  }
  return lines;
}

async function lintText(text: string) {
  return lint(['-'], { stdin: { text, name: FILE }, noConfig: true, cwd: '/nonexistent-cwd' });
}

describe('random pipelines', () => {
  it('never throw; every finding lies in the file and points at its statement; the JSON report validates', async () => {
    await fc.assert(
      fc.asyncProperty(spec, async ({ s, clean }) => {
        const text = render(s);
        const report = await lintText(text);
        // With arbitrary text, a statement may begin in one item and continue into the next (an item
        // ending in `|`, `&&`, `\\` or an open quote: GitLab joins items with newlines), and a finding is
        // shown on its first item; the command it names is then checked for clean pipelines only.
        for (const f of report.findings) {
          expect(f.file).toBe(FILE);
          checkFinding(text, f, clean);
        }
        for (const d of [...report.errors, ...report.notes]) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.line).toBeLessThanOrEqual(text.split('\n').length);
        }
        const json = JSON.parse(format('json', report, { rules: RULES.map((r) => r.meta) })) as unknown;
        const ok = validateReport(json);
        expect(ok, JSON.stringify(validateReport.errors)).toBe(true);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it('arbitrary text never throws (only input errors)', async () => {
    const yamlish = fc.string({ unit: fc.constantFrom('a', ':', ' ', '\n', '-', '&', '*', '!', '[', ']', '{', '}', '|', '>', '"', "'", '#', '<', 'x', '\t', '?', ','), maxLength: 80 });
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        const report = await lintText(`job:\n  script:\n    - ${text}\n${text}`);
        for (const f of report.findings) checkFinding(`job:\n  script:\n    - ${text}\n${text}`, f);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 120_000);

  it('--fix output loads again, is idempotent, and changes only script lines', async () => {
    let fixedSome = 0;
    await fc.assert(
      fc.asyncProperty(spec, async ({ s }) => {
        const text = render(s);
        const report = await lintText(text);
        if (report.errors.length || !report.findings.some((f) => FIXABLE.has(f.ruleId))) return;
        const config = defaultConfig();
        const once = fixText(FILE, text, config, { noConfig: true }, 20);
        if (once.text === text) return;
        fixedSome++;
        expect(() => loadPipeline(FILE, { text: once.text }), once.text).not.toThrow();
        const again = await lintText(once.text);
        expect(again.errors, once.text).toEqual([]);
        const twice = fixText(FILE, once.text, config, { noConfig: true }, 20);
        expect(twice.text, `${text}\n---- fixed once ----\n${once.text}`).toBe(once.text);
        // only lines of script scalars are removed or changed
        const allowed = scriptLines(text);
        let line = 1;
        for (const part of diffLines(text, once.text)) {
          const n = part.count ?? part.value.split('\n').length - 1;
          if (part.removed) {
            for (let l = line; l < line + n; l++) expect(allowed.has(l), `line ${l} changed:\n${text}\n---- fixed ----\n${once.text}`).toBe(true);
          }
          if (!part.added) line += n;
        }
      }),
      { numRuns: Math.max(50, Math.round(NUM_RUNS / 1.5)) },
    );
    expect(fixedSome).toBeGreaterThan(0);
  }, 180_000);
});

describe('cases the properties found', () => {
  it('a statement the parser recovers from between two items points into the next item, not past the first', async () => {
    const text = 'job-0:\n  tags: [shell]\n  before_script:\n    - "sleep 300 &"\n    - "|&"\n  script:\n    - "sleep 300 &"\n';
    const report = await lintText(text);
    for (const f of report.findings) checkFinding(text, f);
    expect(report.findings.filter((f) => f.ruleId === 'BG001').map((f) => `${f.line}:${f.column}`)).toEqual(['4:8', '5:8']);
  });
});

describe('more cases the properties found', () => {
  it('a background statement the parser recovered from starts at its text, not at the space before it', async () => {
    const text = 'job-0:\n  tags: [shell]\n  script:\n    - "curl -fsS http://localhost:8080/ || exit 1"\n    - " &"\n';
    const report = await lintText(text);
    for (const f of report.findings) checkFinding(text, f);
  });
});

describe('--fix cases the properties found', () => {
  it('refused fixes do not use up the budget of fixes: a second --fix changes nothing', async () => {
    const job = (name: string, before: string[], script: string[]) =>
      `${name}:\n  tags: [shell]\n` +
      (before.length ? `  before_script:\n${before.map((l) => `    - ${l}\n`).join('')}` : '') +
      `  script:\n${script.map((l) => `    - ${l}\n`).join('')}`;
    const bg = '"sleep 300 &"';
    const text =
      `default:\n  before_script:\n    - ${bg}\n    - ${bg}\n    - ${bg}\n` +
      job('job-0', [], [`"trap 'kill \\"$SERVER_PID\\"' EXIT"`, bg]) +
      job('job-1', ['>\n      sleep 300 &', bg], [bg]) +
      job('job-2', [bg, 'trap cleanup EXIT TERM INT'], ['echo nothing']) +
      job('job-3', [], [bg, '>\n      sleep 300 &']) +
      job('job-4', [bg, bg], ['"trap \\"docker rm -f db\\" EXIT"']);
    expect((await lintText(text)).errors).toEqual([]);
    const once = fixText(FILE, text, defaultConfig(), { noConfig: true }, 20);
    expect(once.applied.length).toBeLessThan(20);
    expect(fixText(FILE, once.text, defaultConfig(), { noConfig: true }, 20).text).toBe(once.text);
  });
});
