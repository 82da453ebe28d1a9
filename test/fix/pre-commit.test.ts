import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CI_FILE } from '../../src/files.js';

const ROOT = join(import.meta.dirname, '..', '..');

interface Hook {
  id: string;
  language: string;
  entry: string;
  files: string;
}

describe('.pre-commit-hooks.yaml', () => {
  const hooks = parse(readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];

  it('declares the ci-bgsafe hook as a node hook running `ci-bgsafe lint`', () => {
    const hook = hooks.find((h) => h.id === 'ci-bgsafe')!;
    expect(hook).toMatchObject({ language: 'node', entry: 'ci-bgsafe lint' });
    expect(hooks.find((h) => h.id === 'ci-bgsafe-fix')?.entry).toBe('ci-bgsafe lint --fix');
  });

  it.each([
    ['.gitlab-ci.yml', true],
    ['services/api/.gitlab-ci.yml', true],
    ['templates/deploy.yml', true],
    ['templates/vpn/template.yml', true],
    ['.gitlab/ci/build.yml', true],
    ['templates/gen/library.sh.ejs', false],
    ['templates/a/b/c.yml', false],
    ['docker-compose.yml', false],
  ])('matches %s: %s', (path, expected) => {
    for (const h of hooks) expect(new RegExp(h.files).test(path)).toBe(expected);
  });

  it('selects the same files as `ci-bgsafe lint DIR`', () => {
    for (const h of hooks) expect(h.files).toBe(CI_FILE.source.replaceAll('\\/', '/'));
  });

  it('docs/pre-commit.md shows the hook id and this repository in the lines to copy', () => {
    const doc = readFileSync(join(ROOT, 'docs', 'pre-commit.md'), 'utf8');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { homepage: string; version: string };
    expect(doc).toContain(`- repo: ${pkg.homepage}\n`);
    expect(doc).toContain('hooks: [{ id: ci-bgsafe }]');
  });
});
