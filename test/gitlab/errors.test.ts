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
deepExtends.push('job:', '  extends: .l12');

const deepRefs = ['.r0:', '  script: [echo deep]'];
for (let i = 1; i <= 11; i++) deepRefs.push(`.r${i}:`, `  script: [!reference [.r${i - 1}, script]]`);
deepRefs.push('job:', '  script: !reference [.r11, script]');

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
}

const cases: Case[] = [
  { name: 'invalid YAML', files: { '.gitlab-ci.yml': 'job:\n  script: [echo\n' }, code: 'yaml-syntax', at: '.gitlab-ci.yml:3:1', says: /invalid YAML/ },
  { name: 'tab used as indentation', files: { '.gitlab-ci.yml': 'job:\n\tscript: echo\n' }, code: 'tab-indent', at: '.gitlab-ci.yml:2:1', says: /[Tt]abs? .*indentation/ },
  { name: 'alias bomb', files: { '.gitlab-ci.yml': aliasBomb() }, code: 'alias-bomb', at: '.gitlab-ci.yml:', says: /alias bomb/ },
  { name: 'alias inside its own anchor', files: { '.gitlab-ci.yml': 'a: &a\n  b: *a\n' }, code: 'alias-recursive', at: '.gitlab-ci.yml:2:6', says: /contains it/ },
  { name: 'extends cycle', files: { '.gitlab-ci.yml': '.a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: x\n' }, code: 'extends-cycle', at: '.gitlab-ci.yml:4:12', says: /circular extends: \.a -> \.b -> \.a/ },
  { name: 'extends missing parent', files: { '.gitlab-ci.yml': 'job:\n  extends: [.base, .nope]\n  script: x\n.base: {}\n' }, code: 'extends-missing', at: '.gitlab-ci.yml:2:20', says: /job extends \.nope, which is not defined/ },
  { name: 'extends deeper than 11 levels', files: { '.gitlab-ci.yml': deepExtends.join('\n') + '\n' }, code: 'extends-depth', at: '.gitlab-ci.yml:', says: /more than 11 levels/ },
  { name: '!reference missing target', files: { '.gitlab-ci.yml': '.a:\n  script: [x]\njob:\n  script:\n    - !reference [.a, before_script]\n' }, code: 'reference-missing', at: '.gitlab-ci.yml:5:7', says: /!reference \[\.a, before_script\]: no such job or key/ },
  { name: '!reference cycle', files: { '.gitlab-ci.yml': '.a:\n  script: !reference [.b, script]\n.b:\n  script: !reference [.a, script]\njob:\n  script: !reference [.a, script]\n' }, code: 'reference-cycle', at: '.gitlab-ci.yml:', says: /circular !reference/ },
  { name: '!reference nested more than 10 levels', files: { '.gitlab-ci.yml': deepRefs.join('\n') + '\n' }, code: 'reference-depth', at: '.gitlab-ci.yml:', says: /more than 10 levels/ },
  { name: 'include cycle', files: { '.gitlab-ci.yml': 'include: a.yml\njob: {script: x}\n', 'a.yml': 'include: b.yml\n', 'b.yml': 'include:\n  - local: a.yml\n' }, code: 'include-cycle', at: 'b.yml:2:12', says: /include cycle: \S*a\.yml -> \S*b\.yml -> \S*a\.yml/ },
  { name: 'missing include file', files: { '.gitlab-ci.yml': 'include:\n  - local: ci/missing.yml\njob: {script: x}\n' }, code: 'include-not-found', at: '.gitlab-ci.yml:2:12', says: /ci\/missing\.yml not found/ },
  { name: 'a directory given as input', files: { 'dir/x': '' }, entry: 'dir', code: 'not-a-file', at: 'dir:1:1', says: /directory/ },
  { name: 'a binary file', files: { '.gitlab-ci.yml': Buffer.from('job:\n  script: x\0y\n') }, code: 'binary-file', at: '.gitlab-ci.yml:2:12', says: /binary/ },
  { name: 'a missing file', files: {}, code: 'file-not-found', at: '.gitlab-ci.yml:1:1', says: /not found/ },
  { name: 'a file that is not UTF-8', files: { '.gitlab-ci.yml': Buffer.from('job:\n  script: caf\xe9\n', 'latin1') }, code: 'not-utf8', at: '.gitlab-ci.yml:2:14', says: /not UTF-8/ },
  { name: 'several documents that are not a component', files: { '.gitlab-ci.yml': 'a: {script: x}\n---\nb: {script: y}\n' }, code: 'multiple-documents', at: '.gitlab-ci.yml:2:1', says: /several YAML documents/ },
  { name: 'a top level that is not a map', files: { '.gitlab-ci.yml': '- a\n- b\n' }, code: 'not-a-map', at: '.gitlab-ci.yml:1:1', says: /must be a map/ },
  { name: 'a !reference that is not a list of names', files: { '.gitlab-ci.yml': 'job:\n  script: !reference [{a: b}]\n' }, code: 'reference-invalid', at: '.gitlab-ci.yml:2:11', says: /list of names/ },
];

describe('bad input is an InputError at file:line:col', () => {
  it.each(cases)('$name', (c) => {
    const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
    for (const [name, content] of Object.entries(c.files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
    }
    const entry = path.join(dir, c.entry ?? '.gitlab-ci.yml');
    let error: unknown;
    try {
      loadPipeline(entry, { root: dir });
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
