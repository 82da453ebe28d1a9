import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/gitlab/index.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bgsafe-sem-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const load = (text: string) => loadPipeline('t.yml', { text, root: tmp });
const texts = (items: { text: string }[]) => items.map((i) => i.text);

describe('GitLab configuration semantics', () => {
  it('a file included twice (diamond) is merged without error and its jobs appear once', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'diamond-'));
    fs.writeFileSync(path.join(dir, 'a.yml'), 'include: common.yml\na: {script: echo a}\n');
    fs.writeFileSync(path.join(dir, 'b.yml'), 'include: common.yml\nb: {script: echo b}\n');
    fs.writeFileSync(path.join(dir, 'common.yml'), 'common: {script: echo common}\n');
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'include: [a.yml, b.yml]\n');
    const p = loadPipeline(path.join(dir, '.gitlab-ci.yml'), { root: dir });
    expect(p.jobs.map((j) => j.name)).toEqual(['common', 'a', 'b']);
    expect([...p.sources.keys()].map((f) => path.basename(f))).toEqual(['.gitlab-ci.yml', 'a.yml', 'common.yml', 'b.yml']);
  });

  it('merges included files key by key in order: a later file replaces a job, null removes one, hashes merge deeply', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'merge-'));
    fs.writeFileSync(path.join(dir, 'a.yml'), 'x: {script: echo a-x}\ny: {script: echo a-y}\nz: {script: echo a-z}\nvariables: {A: "1", B: "1"}\n');
    fs.writeFileSync(path.join(dir, 'b.yml'), 'y: {script: echo b-y}\nw: {script: echo b-w}\nvariables: {B: "2"}\n');
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'include: [a.yml, b.yml]\nz: null\nv: {script: echo v}\nvariables: {C: "3"}\n');
    const p = loadPipeline(path.join(dir, '.gitlab-ci.yml'), { root: dir });
    expect(p.jobs.map((j) => `${j.name}:${texts(j.script).join()}`)).toEqual(['x:echo a-x', 'y:echo b-y', 'w:echo b-w', 'v:echo v']);
    expect(p.jobs[0]!.variables).toEqual({ A: '1', B: '2', C: '3' });
  });

  it('merges extends parents in order, then the job: null removes an inherited key', () => {
    const p = load('.a:\n  before_script: [vpn &]\n  script: [echo a]\n  variables: {A: "1"}\n.b:\n  script: [echo b]\n  variables: {B: "2"}\njob:\n  extends: [.a, .b]\n  before_script: null\n  variables: {A: "9"}\n');
    const job = p.jobs.find((j) => j.name === 'job')!;
    expect(texts(job.before_script)).toEqual([]);
    expect(texts(job.script)).toEqual(['echo b']);
    expect(job.variables).toEqual({ A: '9', B: '2' });
  });

  it('included files are named like the entry file (relative stays relative)', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'rel-'));
    fs.mkdirSync(path.join(dir, 'ci'));
    fs.writeFileSync(path.join(dir, 'ci', 'x.yml'), 'x:\n  script: echo x\n');
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'include: /ci/x.yml\n');
    const rel = path.relative(process.cwd(), path.join(dir, '.gitlab-ci.yml'));
    const p = loadPipeline(rel, { root: dir });
    expect(p.jobs[0]!.file).toBe(path.join(path.dirname(rel), 'ci', 'x.yml'));
    expect(p.jobs[0]!.script[0]!.locate(0)).toEqual({ line: 2, column: 11 });
  });

  it('!reference is resolved after extends (it sees inherited keys)', () => {
    const p = load('.base:\n  script: [start &]\n.child:\n  extends: .base\njob:\n  script:\n    - !reference [.child, script]\n    - echo done\n');
    expect(texts(p.jobs[0]!.script)).toEqual(['start &', 'echo done']);
    expect(p.jobs[0]!.script[0]!.locate(0)).toEqual({ line: 2, column: 12 });
  });

  it('merge keys as Psych reads them: a merge replaces the keys written before it; earlier merged maps win over later ones', () => {
    const p = load('.a: &a {image: a, tags: [a]}\n.b: &b {image: b, tags: [b], variables: {V: b}}\njob:\n  image: mine\n  <<: [*a, *b]\n  script: x\n');
    expect(p.jobs[0]!.image).toBe('a');
    expect(p.jobs[0]!.tags).toEqual(['a']);
    expect(p.jobs[0]!.variables).toEqual({ V: 'b' });
  });

  it('script given as a single scalar is one item; variables become strings', () => {
    const p = load('variables:\n  N: 1\n  B: true\njob:\n  script: 42\n');
    expect(texts(p.jobs[0]!.script)).toEqual(['42']);
    expect(p.jobs[0]!.variables).toEqual({ N: '1', B: 'true' });
  });

  it('legacy top-level before_script/after_script/image act as defaults; inherit: default: true keeps them', () => {
    const p = load('image: legacy\nbefore_script: [echo legacy]\njob:\n  inherit:\n    default: true\n  script: x\nother:\n  inherit: {default: false}\n  script: y\n');
    expect(p.jobs[0]!.image).toBe('legacy');
    expect(texts(p.jobs[0]!.before_script)).toEqual(['echo legacy']);
    expect(p.jobs[1]!.image).toBeUndefined();
    expect(p.jobs[1]!.before_script).toEqual([]);
  });

  it('`pages` is a job, `types` and `spec` without a script are keywords, hidden keys may hold anything', () => {
    const p = load('types: [build]\n.list: [a, b]\n.str: text\npages:\n  script: echo pages\n');
    expect(p.jobs.map((j) => j.name)).toEqual(['pages']);
    expect(p.diagnostics).toEqual([]);
  });

  it('a duplicate key inside a job is a warning at the second key, and the last value is used', () => {
    const p = load('job:\n  script: first\n  script: second\n');
    expect(texts(p.jobs[0]!.script)).toEqual(['second']);
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([['duplicate-key', 'warning', 3, 3]]);
  });

  it('an include with a variable in its path is reported as not resolved', () => {
    const p = load('include:\n  - local: ci/$ENV.yml\njob: {script: x}\n');
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([['include-not-resolved', 'info', 2, 12]]);
  });

  it('extends and !reference naming a job that an unresolved include may define are notes, and left out', () => {
    const p = load(
      'include:\n  - component: $CI_SERVER_FQDN/ci-bgsafe/ci-bgsafe/services@0.1.0\n' +
        'a:\n  extends: .ci-bgsafe\n  script: [make]\n' +
        'b:\n  script:\n    - !reference [.ci-bgsafe, before_script]\n    - make test\n',
    );
    expect(p.jobs.map((j) => [j.name, texts(j.before_script), texts(j.script)])).toEqual([
      ['a', [], ['make']],
      ['b', [], ['make test']],
    ]);
    expect(p.diagnostics.map((d) => [d.code, d.severity, d.line, d.column])).toEqual([
      ['include-not-resolved', 'info', 2, 16],
      ['extends-not-found', 'info', 4, 12],
      ['reference-not-found', 'info', 8, 7],
    ]);
  });
});
