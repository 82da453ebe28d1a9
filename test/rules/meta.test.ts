/**
 * The rule registry against its documentation: every rule has a source file named by its id,
 * a doc page with the right title and default severity, a row in the docs index, and doc examples
 * that do what the page says (bad examples produce the rule, good ones do not).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/index.js';
import { lint } from '../../src/lint.js';
import { RULES } from '../../src/rules/index.js';
import type { Finding } from '../../src/types.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docsDir = join(root, 'docs/rules');
const metas = RULES.map((r) => r.meta);

interface Block {
  /** The `###` heading the block sits under: `Bad`, `Good`, … */
  heading: string;
  /** The `##` section it sits in. */
  section: string;
  lang: string;
  text: string;
  /** 1-based line of the opening fence in the page. */
  line: number;
}

/**
 * Fenced code blocks of a page with the headings they sit under. The doc convention:
 * `## Examples` holds `### Bad` and `### Good`, each with one or more ```yaml blocks;
 * `## Configure` holds one ```yaml block of `.ci-bgsafe.yml`.
 */
function blocks(markdown: string): Block[] {
  const out: Block[] = [];
  const lines = markdown.split('\n');
  let section = '';
  let heading = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = /^(`{3,})\s*([\w-]*)/.exec(line);
    if (fence) {
      const close = lines.findIndex((l, k) => k > i && l.startsWith(fence[1]!) && l.trim() === fence[1]);
      if (close < 0) throw new Error(`unclosed code fence at line ${i + 1}`);
      out.push({ heading, section, lang: fence[2] ?? '', text: lines.slice(i + 1, close).join('\n') + '\n', line: i + 1 });
      i = close;
      continue;
    }
    const h = /^(#{2,3})\s+(.*?)\s*$/.exec(line);
    if (h?.[1] === '##') {
      section = h[2]!;
      heading = '';
    } else if (h?.[1] === '###') {
      heading = h[2]!;
    }
  }
  return out;
}

function page(id: string): string {
  return readFileSync(join(docsDir, `${id}.md`), 'utf8');
}

describe('rule registry', () => {
  it('has unique ids of the form BGnnn', () => {
    const ids = metas.map((m) => m.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^BG\d{3}$/);
  });

  it('has unique kebab-case names', () => {
    const names = metas.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s lives in src/rules/<ID>.ts and is exported under its id', async (id) => {
    const file = join(root, 'src/rules', `${id}.ts`);
    expect(existsSync(file)).toBe(true);
    const mod = (await import(`../../src/rules/${id}.ts`)) as Record<string, unknown>;
    expect(mod[id]).toBe(RULES.find((r) => r.meta.id === id));
  });
});

describe('docs/rules/<ID>.md', () => {
  it.each(metas.map((m) => [m.id, m] as const))('%s has its title, default severity and fix status', (id, meta) => {
    const md = page(id);
    expect(md.split('\n')[0]).toBe(`# ${id}: ${meta.name}`);
    const info = /^\*\*Default severity:\*\* (error|warning|info) · \*\*Fixable:\*\* (yes|no)\b/m.exec(md);
    expect(info, 'a line "**Default severity:** <sev> · **Fixable:** yes|no"').not.toBeNull();
    expect(info![1]).toBe(meta.defaultSeverity);
    expect(info![2]).toBe(meta.fixable ? 'yes' : 'no');
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s has the sections every page has, and cites the facts file', (id) => {
    const md = page(id);
    for (const s of ['## What happens', '## Examples', '### Bad', '### Good', '## How to fix', '## Suppress', '## Configure']) {
      expect(md, `section "${s}"`).toContain(`\n${s}\n`);
    }
    expect(md).toMatch(/\]\(\.\.\/gitlab-runner-facts\.md#[a-z0-9_-]+\)/);
    expect(md).toContain(`# ci-bgsafe-disable-next-line ${id} -- `);
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s links only to sections the facts file has', (id) => {
    const facts = readFileSync(join(root, 'docs/gitlab-runner-facts.md'), 'utf8');
    // GitHub/GitLab heading anchors: lower case, punctuation dropped, spaces to dashes.
    const anchors = new Set(
      facts
        .split('\n')
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => l.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-')),
    );
    const links = [...page(id).matchAll(/\(\.\.\/gitlab-runner-facts\.md#([^)]+)\)/g)].map((m) => m[1]!);
    for (const a of links) expect(anchors, `anchor #${a}`).toContain(a);
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s: the Configure example is a valid .ci-bgsafe.yml that sets this rule', (id, meta) => {
    const configs = blocks(page(id)).filter((b) => b.section === 'Configure' && b.lang === 'yaml');
    expect(configs.length).toBeGreaterThan(0);
    for (const b of configs) {
      const config = parseConfig(b.text, `docs/rules/${id}.md:${b.line}`, metas);
      expect(Object.keys(config.rules).some((k) => k === meta.id || k === meta.name)).toBe(true);
    }
  });

  it('has no page for a rule that is not in the registry', async () => {
    const { readdirSync } = await import('node:fs');
    const pages = readdirSync(docsDir).filter((f) => /^BG\d{3}\.md$/.test(f)).map((f) => f.slice(0, -3));
    expect(pages.sort()).toEqual(metas.map((m) => m.id).sort());
  });
});

describe('docs/rules/README.md', () => {
  const rows = () =>
    readFileSync(join(docsDir, 'README.md'), 'utf8')
      .split('\n')
      .filter((l) => /^\| \[BG\d{3}\]/.test(l))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));

  it('lists exactly the registry rules, in registry order', () => {
    expect(rows().map((r) => r[0])).toEqual(metas.map((m) => `[${m.id}](${m.id}.md)`));
  });

  it('gives each rule its name, default severity and fix status', () => {
    const byId = new Map(rows().map((r) => [/BG\d{3}/.exec(r[0]!)![0], r]));
    for (const m of metas) {
      const r = byId.get(m.id)!;
      expect(r[1]).toBe(`\`${m.name}\``);
      expect(r[2]).toBe(m.defaultSeverity);
      expect(r[3]).toBe(m.fixable ? 'yes' : 'no');
      expect(r[4]!.length).toBeGreaterThan(10);
    }
  });
});

describe('README.md', () => {
  it('has a rules table of exactly the registry rules, in order, each with its page, name and default severity', () => {
    const rows = readFileSync(join(root, 'README.md'), 'utf8')
      .split('\n')
      .filter((l) => /^\| \[BG\d{3}\]/.test(l))
      .map((l) => l.split('|').slice(1, -1).map((c) => c.trim()));
    expect(rows.map((r) => r.slice(0, 3))).toEqual(metas.map((m) => [`[${m.id}](docs/rules/${m.id}.md)`, m.name, m.defaultSeverity]));
    for (const r of rows) expect(r[3]!.length, `${r[0]}: what it reports`).toBeGreaterThan(10);
  });
});

describe('doc examples', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-docs-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function lintExample(id: string, b: Block): Promise<Finding[]> {
    const cwd = join(dir, `${id}-${++n}`);
    mkdirSync(cwd);
    writeFileSync(join(cwd, '.gitlab-ci.yml'), b.text);
    const report = await lint(['.gitlab-ci.yml'], { cwd, noConfig: true });
    expect(report.errors, `docs/rules/${id}.md:${b.line}: the example must load`).toEqual([]);
    return report.findings;
  }

  const show = (fs: Finding[]) => fs.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.severity}`).join('\n');

  it.each(metas.map((m) => [m.id, m] as const))('%s: every Bad example produces the rule', async (id) => {
    const bad = blocks(page(id)).filter((b) => b.section === 'Examples' && b.heading === 'Bad');
    expect(bad.length).toBeGreaterThan(0);
    for (const b of bad) {
      expect(b.lang).toBe('yaml');
      const found = await lintExample(id, b);
      expect(found.map((f) => f.ruleId), `docs/rules/${id}.md:${b.line}\n${show(found)}`).toContain(id);
    }
  });

  it.each(metas.map((m) => [m.id, m] as const))('%s: no Good example produces the rule, nor any error or warning', async (id) => {
    const good = blocks(page(id)).filter((b) => b.section === 'Examples' && b.heading === 'Good');
    expect(good.length).toBeGreaterThan(0);
    for (const b of good) {
      expect(b.lang).toBe('yaml');
      const found = await lintExample(id, b);
      const where = `docs/rules/${id}.md:${b.line}\n${show(found)}`;
      expect(found.map((f) => f.ruleId), where).not.toContain(id);
      expect(found.filter((f) => f.severity !== 'info').map((f) => f.ruleId), where).toEqual([]);
    }
  });
});
