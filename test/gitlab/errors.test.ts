import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/gitlab/index.js';
import { InputError } from '../../src/types.js';
import { aliasBomb } from '../fixtures/alias-bomb.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bgsafe-model-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));


const deepExtends = ['.l0:', '  script: echo deep'];
for (let i = 1; i <= 12; i++) deepExtends.push(`.l${i}:`, `  extends: .l${i - 1}`);
deepExtends.push('job:', '  extends: .l12', 'other:', '  script: echo other');

const deepRefs = ['.r0:', '  script: [echo deep]'];
for (let i = 1; i <= 11; i++) deepRefs.push(`.r${i}:`, `  script: [!reference [.r${i - 1}, script]]`);
deepRefs.push('job:', '  script: !reference [.r11, script]', 'other:', '  script: echo other');

interface Case {
  name: string;
  /** Files to write under a fresh folder; the entry is `.gitlab-ci.yml` unless `entry` says otherwise. */
  files: Record<string, string | Buffer>;
  entry?: string;
  code: string;
  /** `file:line:col` expected at the start of the message (file relative to the case folder). */
  at: string;
  /** Words the message must contain. */
  says: RegExp;
  /** A job still read when the error is not the entry file's own. */
  still?: string;
}

const cases: Case[] = [
  { name: 'invalid YAML', files: { '.gitlab-ci.yml': 'job:\n  script: [echo\n' }, code: 'yaml-syntax', at: '.gitlab-ci.yml:3:1', says: /invalid YAML/ },
  { name: 'tab used as indentation', files: { '.gitlab-ci.yml': 'job:\n\tscript: echo\n' }, code: 'tab-indent', at: '.gitlab-ci.yml:2:1', says: /[Tt]abs? .*indentation/ },
  { name: 'alias bomb', files: { '.gitlab-ci.yml': aliasBomb() }, code: 'alias-bomb', at: '.gitlab-ci.yml:', says: /alias bomb/ },
  { name: 'alias inside its own anchor', files: { '.gitlab-ci.yml': 'a: &a\n  b: *a\n' }, code: 'alias-recursive', at: '.gitlab-ci.yml:2:6', says: /contains it/ },
  { name: 'extends cycle', files: { '.gitlab-ci.yml': '.a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: x\nother: {script: y}\n' }, code: 'extends-cycle', at: '.gitlab-ci.yml:4:12', says: /circular extends: \.a -> \.b -> \.a/, still: 'other' },
  { name: 'extends deeper than 11 levels', files: { '.gitlab-ci.yml': deepExtends.join('\n') + '\n' }, code: 'extends-depth', at: '.gitlab-ci.yml:', says: /more than 11 levels/, still: 'other' },
  { name: '!reference cycle', files: { '.gitlab-ci.yml': '.a:\n  script: !reference [.b, script]\n.b:\n  script: !reference [.a, script]\njob:\n  script: !reference [.a, script]\nother: {script: y}\n' }, code: 'reference-cycle', at: '.gitlab-ci.yml:', says: /circular !reference/, still: 'other' },
  { name: '!reference nested more than 10 levels', files: { '.gitlab-ci.yml': deepRefs.join('\n') + '\n' }, code: 'reference-depth', at: '.gitlab-ci.yml:', says: /more than 10 levels/, still: 'other' },
  { name: 'include cycle', files: { '.gitlab-ci.yml': 'include: a.yml\njob: {script: x}\n', 'a.yml': 'include: b.yml\n', 'b.yml': 'include:\n  - local: a.yml\n' }, code: 'include-cycle', at: 'b.yml:2:12', says: /include cycle: \S*a\.yml -> \S*b\.yml -> \S*a\.yml/, still: 'job' },
  { name: 'an included file with invalid YAML', files: { '.gitlab-ci.yml': 'include: ci/a.yml\njob: {script: x}\n', 'ci/a.yml': 'a:\n  script: [x\n' }, code: 'yaml-syntax', at: 'ci/a.yml:3:1', says: /invalid YAML/, still: 'job' },
  { name: 'an included file that is not UTF-8', files: { '.gitlab-ci.yml': 'include: ci/a.yml\njob: {script: x}\n', 'ci/a.yml': Buffer.from('a:\n  script: caf\xe9\n', 'latin1') }, code: 'not-utf8', at: 'ci/a.yml:2:14', says: /not UTF-8/, still: 'job' },
  { name: 'a directory given as input', files: { 'dir/x': '' }, entry: 'dir', code: 'not-a-file', at: 'dir:1:1', says: /directory/ },
  { name: 'a binary file', files: { '.gitlab-ci.yml': Buffer.from('job:\n  script: x\0y\n') }, code: 'binary-file', at: '.gitlab-ci.yml:2:12', says: /binary/ },
  { name: 'a missing file', files: {}, code: 'file-not-found', at: '.gitlab-ci.yml:1:1', says: /not found/ },
  { name: 'a file that is not UTF-8', files: { '.gitlab-ci.yml': Buffer.from('job:\n  script: caf\xe9\n', 'latin1') }, code: 'not-utf8', at: '.gitlab-ci.yml:2:14', says: /not UTF-8/ },
  { name: 'several documents that are not a component', files: { '.gitlab-ci.yml': 'a: {script: x}\n---\nb: {script: y}\n' }, code: 'multiple-documents', at: '.gitlab-ci.yml:2:1', says: /several YAML documents/ },
  { name: 'a top level that is not a map', files: { '.gitlab-ci.yml': '- a\n- b\n' }, code: 'not-a-map', at: '.gitlab-ci.yml:1:1', says: /must be a map/ },
  { name: 'a !reference that is not a list of names', files: { '.gitlab-ci.yml': 'job:\n  script: !reference [{a: b}]\n' }, code: 'reference-invalid', at: '.gitlab-ci.yml:2:11', says: /list of names/ },
];

describe('bad input is an error at file:line:col', () => {
  it.each(cases)('$name', (c) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
    for (const [name, content] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    const entry = path.join(dir, c.entry ?? '.gitlab-ci.yml');
    // What makes the entry file unreadable is thrown; an error further in (an included file, one job's
    // extends or !reference) is the pipeline's, and the rest is still read.
    let error: unknown;
    try {
      const p = loadPipeline(entry, { root: dir });
      const d = p.diagnostics.find((x) => x.severity === 'error');
      if (d) error = new InputError(d);
      expect(c.still, 'an error that is not the entry file\'s stops nothing else').toBeDefined();
      expect(p.jobs.map((j) => j.name)).toContain(c.still);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const err = error as InputError;
    expect(err.diagnostic.code).toBe(c.code);
    const rel = path.relative(dir, err.diagnostic.file);
    expect(`${rel}:${err.diagnostic.line}:${err.diagnostic.column}`.startsWith(c.at), `${err.message}`).toBe(true);
    expect(err.message.startsWith(`${err.diagnostic.file}:${err.diagnostic.line}:${err.diagnostic.column}: `)).toBe(true);
    expect(err.message).toMatch(c.says);
    expect(err.message).not.toMatch(/\n\s+at /); // no stack trace in the message
  });
});

describe('accepted input', () => {
  it('standard input text with a BOM and CRLF endings', () => {
    const p = loadPipeline('-', { text: '\ufeffjob:\r\n  script:\r\n    - echo "hi" &\r\n' });
    expect(p.jobs[0]!.script[0]!.text).toBe('echo "hi" &');
    expect(p.jobs[0]!.script[0]!.locate(10)).toEqual({ line: 3, column: 17 });
  });

  it('a file with only a component header and no jobs', () => {
    const p = loadPipeline('c.yml', { text: 'spec:\n  inputs:\n    x: {}\n---\n' });
    expect(p.isComponent).toBe(true);
    expect(p.jobs).toEqual([]);
  });

  it('an unknown custom tag is data, never run', () => {
    const p = loadPipeline('t.yml', { text: 'job:\n  script:\n    - !!js/function "function(){}"\n    - !secret echo x\n' });
    expect(p.jobs[0]!.script.map((s) => s.text)).toEqual(['function(){}', 'echo x']);
  });

  it('a glob through a symlink loop does not hang', () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'loop-'));
    fs.mkdirSync(path.join(dir, 'ci'));
    fs.writeFileSync(path.join(dir, 'ci', 'a.yml'), 'a: {script: echo a}\n');
    fs.symlinkSync(path.join(dir, 'ci'), path.join(dir, 'ci', 'self'));
    fs.writeFileSync(path.join(dir, '.gitlab-ci.yml'), 'include: "ci/**/*.yml"\n');
    const p = loadPipeline(path.join(dir, '.gitlab-ci.yml'), { root: dir });
    expect(p.jobs.map((j) => j.name)).toEqual(['a']);
  });

  it('a glob that matches nothing is a warning', () => {
    const p = loadPipeline('x.yml', { text: 'include: "nothing/*.yml"\njob: {script: x}\n', root: tmp });
    expect(p.diagnostics.map((d) => [d.code, d.line, d.column])).toEqual([['include-no-match', 1, 10]]);
  });
});
