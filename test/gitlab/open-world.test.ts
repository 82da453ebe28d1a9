import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { lint } from '../../src/lint.js';
import { fakeIO } from '../cli/helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bgsafe-open-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Writes `files` under a fresh folder (a repository: it has `.git`) and returns it. */
function repo(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(tmp, 'repo-'));
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const at = (d: { file: string; line: number; column: number }) => `${path.basename(d.file)}:${d.line}:${d.column}`;

// A GNOME-style pipeline: templates from another project, a job extending one of them, and jobs of its own.
const FDO = `include:
  - project: freedesktop/ci-templates
    ref: abc123
    file: /templates/fedora.yml
  - local: ci/not-checked-out.yml

build:
  extends:
    - .fdo.distribution-image@fedora
  tags: [shell]
  script:
    - ./mock-server --port 8080 &
    - make check

test:
  tags: [shell]
  script:
    - Xvfb :99 &
    - !reference [.fdo.helpers, setup]
    - make test

docs:
  tags: [shell]
  script:
    - python3 -m http.server 8000 &
    - ./check-links
`;

describe('what is not read is a note, never a stop', () => {
  it('an unresolved include, extends and !reference are notes at their line:col, and every job is linted', async () => {
    const dir = repo({ '.gitlab-ci.yml': FDO });
    const r = await lint([path.join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(r.notes.map((n) => `${at(n)} ${n.severity} ${n.code}`)).toEqual([
      '.gitlab-ci.yml:2:14 info include-not-resolved',
      '.gitlab-ci.yml:5:12 info include-not-found',
      '.gitlab-ci.yml:9:7 info extends-not-found',
      '.gitlab-ci.yml:19:7 info reference-not-found',
    ]);
    expect(r.notes[2]!.message).toMatch(/^build extends \.fdo\.distribution-image@fedora, which is defined in no file read/);
    expect(r.notes[3]!.message).toMatch(/^!reference \[\.fdo\.helpers, setup\]: \.fdo\.helpers is defined in no file read.*read as empty/);
    const bg001 = r.findings.filter((f) => f.ruleId === 'BG001');
    expect(bg001.map((f) => `${f.line}:${f.column} [${f.jobs}]`)).toEqual(['12:7 [build]', '18:7 [test]', '25:7 [docs]']);
    // the verdicts the unread parts could change say so; the job that uses nothing unread is certain
    expect(bg001[0]!.message).toMatch(/Not certain: job "build" also uses extends \.fdo\.distribution-image@fedora, defined in no file read, which may stop the process itself\.$/);
    expect(bg001[1]!.message).toMatch(/Not certain: job "test" also uses !reference \[\.fdo\.helpers, setup\]/);
    expect(bg001[2]!.message).not.toMatch(/Not certain/);
  });

  it('exit code: notes change nothing (1 for the findings, 0 without them)', async () => {
    const dir = repo({ '.gitlab-ci.yml': FDO });
    const io = fakeIO(dir);
    expect(await main(['lint', '--no-config'], io)).toBe(1);
    expect(io.stdout).toContain('.gitlab-ci.yml:9:7: info build extends .fdo.distribution-image@fedora');
    const clean = repo({ '.gitlab-ci.yml': 'include:\n  - remote: https://example.com/ci.yml\njob:\n  extends: .remote-base\n  script: [make]\n' });
    const io2 = fakeIO(clean);
    expect(await main(['lint', '--no-config'], io2)).toBe(0);
    expect(io2.stdout).toMatch(/no problems in 1 file, 2 notes/);
  });

  it('a finding reached by a job that shows everything is certain, whichever job came first', async () => {
    const dir = repo({
      '.gitlab-ci.yml': '.start:\n  tags: [shell]\n  script:\n    - ./server &\n    - make\na:\n  extends: [.start, .missing]\nb:\n  extends: .start\n',
    });
    const r = await lint([path.join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    const f = r.findings.find((x) => x.ruleId === 'BG001')!;
    expect(`${f.line}:${f.column} [${f.jobs}]`).toBe('4:7 [a,b]');
    expect(f.message).not.toMatch(/Not certain/);
  });

  it('an extends cycle, a !reference cycle and a broken included file are errors (exit 2), and every other job is still reported', async () => {
    const dir = repo({
      '.gitlab-ci.yml': [
        'include: [ci/broken.yml, ci/good.yml]',
        '.a:',
        '  extends: .b',
        '.b:',
        '  extends: .a',
        'looped:',
        '  extends: .a',
        '  script: [./x &]',
        '.r:',
        '  script: !reference [.r, script]',
        'ref-looped:',
        '  script: !reference [.r, script]',
        'fine:',
        '  tags: [shell]',
        '  script: [./server &, make]',
        '',
      ].join('\n'),
      'ci/broken.yml': 'broken:\n  script: [oops\n',
      'ci/good.yml': 'good:\n  tags: [shell]\n  script: [./other &, make]\n',
    });
    const r = await lint([path.join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(r.errors.map((e) => `${at(e)} ${e.code}`)).toEqual([
      'broken.yml:3:1 yaml-syntax',
      '.gitlab-ci.yml:5:12 extends-cycle',
      '.gitlab-ci.yml:10:11 reference-cycle',
    ]);
    expect(r.findings.filter((f) => f.ruleId === 'BG001').map((f) => `${at(f)} [${f.jobs}]`)).toEqual([
      '.gitlab-ci.yml:15:12 [fine]',
      'good.yml:3:12 [good]',
    ]);
    const io = fakeIO(dir);
    expect(await main(['lint', '--no-config'], io)).toBe(2);
    expect(io.stdout).toContain('.gitlab-ci.yml:15:12: error');
  });

  it('a file with invalid YAML stops only itself: the other files of the run are linted and reported', async () => {
    const dir = repo({
      '.gitlab-ci.yml': 'job:\n  script: [oops\n',
      '.gitlab/ci/other.yml': 'other:\n  tags: [shell]\n  script: [./server &, make]\n',
    });
    const io = fakeIO(dir);
    expect(await main(['lint', '--no-config', '.'], io)).toBe(2);
    expect(io.stdout).toContain('.gitlab-ci.yml:3:1: error invalid YAML');
    expect(io.stdout).toContain('.gitlab/ci/other.yml:3:12: error');
  });
});

describe('a folder of files that include each other', () => {
  // The layout of a large project: an entry file including every file of .gitlab/ci/, files there that
  // include a shared file of templates, and the shared file's templates used by jobs of other files.
  const files = {
    '.gitlab-ci.yml': 'include:\n  - local: .gitlab/ci/*.gitlab-ci.yml\n',
    '.gitlab/ci/base.gitlab-ci.yml': '.mock-api:\n  before_script:\n    - ./mock-api --port 9000 &\n',
    '.gitlab/ci/e2e/shared.gitlab-ci.yml': 'include:\n  - local: .gitlab/ci/base.gitlab-ci.yml\n\n.e2e-base:\n  extends: .mock-api\n  tags: [shell]\n',
    '.gitlab/ci/e2e.gitlab-ci.yml': 'include:\n  - local: .gitlab/ci/e2e/shared.gitlab-ci.yml\n\ne2e:\n  extends: .e2e-base\n  script:\n    - ./run-e2e\n',
    '.gitlab/ci/docs.gitlab-ci.yml': 'docs:\n  tags: [shell]\n  extends: .docs-rules\n  script:\n    - python3 -m http.server 8000 &\n    - ./check-links\n',
  };
  const rows = (r: Awaited<ReturnType<typeof lint>>, dir: string) =>
    r.findings.map((f) => `${path.relative(dir, f.file)}:${f.line}:${f.column} ${f.ruleId} [${f.jobs.join(',')}]`);

  it('a file read through an include is linted with the jobs that include it, once: each finding and each note once', async () => {
    const dir = repo(files);
    const r = await lint([dir], { cwd: dir, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(r.files).toHaveLength(5);
    expect(rows(r, dir).filter((x) => x.includes('BG001'))).toEqual([
      '.gitlab/ci/base.gitlab-ci.yml:3:7 BG001 [e2e]',
      '.gitlab/ci/docs.gitlab-ci.yml:5:7 BG001 [docs]',
    ]);
    const notes = r.notes.map((n) => `${path.relative(dir, n.file)}:${n.line}:${n.column} ${n.code}`);
    expect(notes).toEqual(['.gitlab/ci/docs.gitlab-ci.yml:3:12 extends-not-found']);
  });

  it('files copied out of their checkout (no .git): include: local starts at the folder that holds .gitlab/', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'export-'));
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    const r = await lint([path.join(dir, '.gitlab/ci/e2e.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(r.notes.filter((n) => n.code === 'include-not-found')).toEqual([]);
    expect(rows(r, dir).filter((x) => x.includes('BG001'))).toEqual(['.gitlab/ci/base.gitlab-ci.yml:3:7 BG001 [e2e]']);
  });
});
