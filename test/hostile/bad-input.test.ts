/**
 * Broken and hostile files through the whole CLI: each case states the exit code and the message a
 * user sees. Nothing may end in a stack trace, an internal error or a hang.
 *
 * Decided behaviour:
 * - an empty file, or one with only comments, is an empty pipeline: nothing to report, exit 0;
 * - a file over 10 MB (MAX_FILE_BYTES) is refused before it is read: `file-too-large`, exit 2;
 * - YAML nested thousands of levels deep: `yaml-too-deep`, exit 2 (GitLab itself allows 100 levels);
 * - items and keys GitLab would reject (null or map script items, a job that is not a map, an unknown
 *   keyword) are warnings at their position; the rest of the file is still linted.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES } from '../../src/gitlab/source.js';
import { cleanup, cli, tempDir, writeFiles } from './helpers.js';
import { aliasBomb } from '../fixtures/alias-bomb.js';

afterAll(cleanup);

const BG = 'job:\n  script:\n    - echo start\n    - sleep 100 &\n';


function deepFlow(levels: number): string {
  return `x: ${'['.repeat(levels)}${']'.repeat(levels)}\njob:\n  script: [sleep 1 &]\n`;
}
function deepBlock(levels: number): string {
  const lines = ['job:', '  script: [echo]', 'x:'];
  for (let i = 1; i <= levels; i++) lines.push(`${' '.repeat(i)}k:`);
  return `${lines.join('\n')}\n`;
}

interface Case {
  name: string;
  files: Record<string, string | Uint8Array>;
  /** Arguments after `lint --no-config --no-color` (default: the file `ci.yml`). */
  args?: string[];
  exit: number;
  /** Patterns standard output must match. */
  stdout?: RegExp[];
  /** Patterns standard error must match. */
  stderr?: RegExp[];
  /** Patterns standard output must not match. */
  notStdout?: RegExp[];
}

const cases: Case[] = [
  { name: 'empty file', files: { 'ci.yml': '' }, exit: 0, stdout: [/no problems in 1 file/] },
  { name: 'only comments', files: { 'ci.yml': '# nothing here\n# yet\n' }, exit: 0, stdout: [/no problems in 1 file/] },
  {
    name: 'a byte-order mark: positions as without it',
    files: { 'ci.yml': `\ufeff${BG}` },
    exit: 1,
    stdout: [/^ci\.yml:4:7: error `sleep` runs in the background/m],
  },
  {
    name: 'CRLF line endings: positions as with LF',
    files: { 'ci.yml': BG.replace(/\n/g, '\r\n') },
    exit: 1,
    stdout: [/^ci\.yml:4:7: error `sleep` runs in the background/m],
  },
  {
    name: 'bytes that are not UTF-8',
    files: { 'ci.yml': Buffer.from('job:\n  script: caf\xe9 &\n', 'latin1') },
    exit: 2,
    stdout: [/^ci\.yml:2:14: error not UTF-8 text \(invalid byte 0xe9\) \[not-utf8\]/m],
  },
  {
    name: 'NUL bytes (a binary file)',
    files: { 'ci.yml': Buffer.from('job:\n  script: x\0y\n') },
    exit: 2,
    stdout: [/^ci\.yml:2:12: error binary content/m],
  },
  {
    name: '10,000 levels of flow nesting',
    files: { 'ci.yml': deepFlow(10_000) },
    exit: 2,
    stdout: [/^ci\.yml:1:\d+: error invalid YAML: nested too deeply to read .*\[yaml-too-deep\]/m],
    notStdout: [/call stack/i],
  },
  {
    name: '10,000 levels of nested flow maps',
    files: { 'ci.yml': `x: ${'{k: '.repeat(10_000)}1${'}'.repeat(10_000)}\njob:\n  script: [echo]\n` },
    exit: 2,
    stdout: [/^ci\.yml:1:\d+: error invalid YAML: nested too deeply to read .*\[yaml-too-deep\]/m],
  },
  {
    // block indentation grows with depth: 3,000 levels is already a 4.5 MB file
    name: '3,000 levels of block nesting',
    files: { 'ci.yml': deepBlock(3_000) },
    exit: 2,
    stdout: [/^ci\.yml:\d+:\d+: error invalid YAML: nested too deeply to read .*\[yaml-too-deep\]/m],
  },
  {
    name: 'a 1 MB line',
    files: { 'ci.yml': `job:\n  script:\n    - echo ${'x'.repeat(1024 * 1024)} ${'a '.repeat(2000)}& echo done\n` },
    exit: 1,
    stdout: [/^ci\.yml:3:7: error `echo` runs in the background/m],
  },
  {
    name: '`script` as a string instead of a list',
    files: { 'ci.yml': 'job:\n  script: "sleep 100 &"\n' },
    exit: 1,
    stdout: [/^ci\.yml:2:12: error `sleep` runs in the background/m],
  },
  {
    name: 'script items that are numbers, null or maps',
    files: { 'ci.yml': 'job:\n  script:\n    - 42\n    - null\n    - {a: b}\n    - sleep 1 &\n    - 3.10\n' },
    exit: 1,
    stdout: [
      /^ci\.yml:6:7: error `sleep` runs in the background/m,
      /^ci\.yml:4:7: warning an empty \(null\) item in a script list is not a command; it is skipped \[bad-script-item\]/m,
      /^ci\.yml:5:7: warning a map item in a script list is not a command; it is skipped \[bad-script-item\]/m,
    ],
  },
  {
    name: '`script` as a map',
    files: { 'ci.yml': 'job:\n  script:\n    run: sleep 1 &\n' },
    exit: 0,
    stdout: [/^ci\.yml:3:5: warning a script section must be a string or a list of strings; a map is ignored \[bad-script-item\]/m],
  },
  {
    name: 'a job that is not a map',
    files: { 'ci.yml': 'job: 5\nother: [sleep 1 &]\n' },
    exit: 0,
    stdout: [/^ci\.yml:1:1: warning top-level key "job" is neither a keyword nor a job/m, /^ci\.yml:2:1: warning top-level key "other"/m],
  },
  {
    name: 'unknown keywords',
    files: { 'ci.yml': 'job:\n  scriptt: [sleep 1 &]\n  script: [echo]\n' },
    exit: 0,
    stdout: [/^ci\.yml:2:3: warning job "job" has an unknown keyword "scriptt" \(GitLab rejects the pipeline\); it is ignored \[unknown-keyword\]/m],
  },
  {
    name: 'several YAML documents that are not a component',
    files: { 'ci.yml': 'a:\n  script: [x]\n---\nb:\n  script: [y]\n' },
    exit: 2,
    stdout: [/^ci\.yml:3:1: error several YAML documents in one file, but the first is not a CI\/CD component `spec:` header \[multiple-documents\]/m],
  },
  {
    name: 'a component with a third document',
    files: { 'ci.yml': 'spec:\n  inputs: {}\n---\na:\n  script: [x]\n---\nb:\n  script: [y]\n' },
    exit: 2,
    stdout: [/^ci\.yml:6:1: error a CI\/CD component has two YAML documents .* \[multiple-documents\]/m],
  },
  { name: 'an alias bomb', files: { 'ci.yml': aliasBomb() }, exit: 2, stdout: [/^ci\.yml:\d+:\d+: error .*alias bomb.* \[alias-bomb\]/m] },
  {
    name: 'an extends cycle',
    files: { 'ci.yml': '.a:\n  extends: .b\n.b:\n  extends: .a\njob:\n  extends: .a\n  script: [x]\n' },
    exit: 2,
    stdout: [/^ci\.yml:\d+:\d+: error circular extends: \.a -> \.b -> \.a \[extends-cycle\]/m],
  },
  {
    name: 'a !reference cycle',
    files: { 'ci.yml': '.a:\n  script: !reference [.b, script]\n.b:\n  script: !reference [.a, script]\njob:\n  script: !reference [.a, script]\n' },
    exit: 2,
    stdout: [/^ci\.yml:\d+:\d+: error circular !reference.* \[reference-cycle\]/m],
  },
  {
    name: 'an include cycle',
    files: { 'ci.yml': 'include: a.yml\njob:\n  script: [x]\n', 'a.yml': 'include: b.yml\n', 'b.yml': 'include:\n  - local: a.yml\n' },
    exit: 2,
    stdout: [/^b\.yml:2:12: error include cycle: a\.yml -> b\.yml -> a\.yml \[include-cycle\]/m],
  },
  {
    name: 'an include of a missing file is a note; the rest is linted',
    files: { 'ci.yml': 'include:\n  - local: ci/missing.yml\njob:\n  script: [sleep 1 &]\n' },
    exit: 1,
    stdout: [/^ci\.yml:2:12: info included file ci\/missing\.yml is not in the files read/m, /^ci\.yml:4:12: error `sleep`/m],
  },
  {
    name: 'a remote include is reported as not read, not fetched',
    files: { 'ci.yml': 'include:\n  - remote: https://example.invalid/ci.yml\njob:\n  script: [sleep 1 &]\n' },
    exit: 1,
    stdout: [/^ci\.yml:2:13: info include: remote https:\/\/example\.invalid\/ci\.yml is not read/m, /^ci\.yml:4:12: error `sleep`/m],
  },
  {
    name: 'custom tags are data, never constructed',
    files: { 'ci.yml': 'job:\n  script:\n    - !!js/function "echo hi"\n    - !ruby/object:Foo {}\n    - !!python/object/apply:os.system ["true"]\n    - sleep 1 &\n' },
    exit: 1,
    stdout: [/^ci\.yml:6:7: error `sleep`/m, /^ci\.yml:4:24: warning a map item in a script list is not a command/m],
  },
  {
    name: 'a folder without GitLab CI/CD files',
    files: { 'dir/x.yml': 'a: 1\n' },
    args: ['dir'],
    exit: 2,
    stdout: [/^dir:1:1: error is a folder without GitLab CI\/CD files \(\.gitlab-ci\.yml, templates\/NAME\.yml, templates\/NAME\/template\.yml, \.gitlab\/ci\/\*\.yml\) \[no-ci-files\]/m],
  },
  {
    name: 'one bad file among several: the others are still linted and reported',
    files: { 'good.yml': BG, 'bad.yml': 'job:\n  script: [echo\n', 'also-good.yml': 'j:\n  script: [sleep 2 &]\n' },
    args: ['good.yml', 'bad.yml', 'also-good.yml'],
    exit: 2,
    stdout: [/^good\.yml:4:7: error `sleep`/m, /^bad\.yml:3:1: error invalid YAML/m, /^also-good\.yml:2:12: error `sleep`/m, /in 3 files/],
  },
  {
    name: 'a missing file among several',
    files: { 'good.yml': BG },
    args: ['nope.yml', 'good.yml'],
    exit: 2,
    stdout: [/^nope\.yml:1:1: error file not found \[file-not-found\]/m, /^good\.yml:4:7: error `sleep`/m],
  },
];

describe('bad input through the CLI: message and exit code', () => {
  it.each(cases)('$name', async (c) => {
    const dir = tempDir();
    writeFiles(dir, c.files);
    const r = await cli(['lint', '--no-config', '--no-color', ...(c.args ?? ['ci.yml'])], dir);
    const all = `${r.stdout}\n${r.stderr}`;
    expect(all).not.toMatch(/internal error/);
    expect(all).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    for (const re of c.stdout ?? []) expect(r.stdout, `stdout ${re}`).toMatch(re);
    for (const re of c.stderr ?? []) expect(r.stderr, `stderr ${re}`).toMatch(re);
    for (const re of c.notStdout ?? []) expect(r.stdout).not.toMatch(re);
    expect(r.code, all).toBe(c.exit);
  });

  it('a 50 MB file is refused with a clear error and exit 2, without reading it', async () => {
    const dir = tempDir();
    const line = `    - echo ${'x'.repeat(69)}\n`;
    const body = `job:\n  script:\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}`;
    writeFileSync(join(dir, 'ci.yml'), body);
    expect(body.length).toBeGreaterThan(MAX_FILE_BYTES);
    const r = await cli(['lint', '--no-config', '--no-color', 'ci.yml'], dir);
    expect(r.stdout).toMatch(/^ci\.yml:1:1: error file too large \(50\.0 MB\); ci-bgsafe reads files of up to 10\.0 MB \[file-too-large\]/m);
    expect(r.code).toBe(2);
  });

  it('50 MB on standard input is refused the same way', async () => {
    const dir = tempDir();
    const r = await cli(['lint', '--no-config', '--no-color', '-'], dir, `job:\n  script: [echo]\n#${'x'.repeat(50 * 1024 * 1024)}\n`);
    expect(r.stdout).toMatch(/^<stdin>:1:1: error file too large \(50\.0 MB\)/m);
    expect(r.code).toBe(2);
  });

  it('errors go to standard error with file:line:col when the report is JSON', async () => {
    const dir = tempDir();
    writeFiles(dir, { 'ci.yml': Buffer.from('job:\n  script: caf\xe9\n', 'latin1') });
    const r = await cli(['lint', '--no-config', '--format', 'json', 'ci.yml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^ci\.yml:2:14: error not UTF-8 text/m);
    const report = JSON.parse(r.stdout) as { errors: Array<{ code: string; line: number; column: number }> };
    expect(report.errors).toEqual([expect.objectContaining({ code: 'not-utf8', line: 2, column: 14 })]);
  });

  it('a symlink loop under an include glob ends, and the real files are linted', async () => {
    const dir = tempDir();
    writeFiles(dir, {
      '.git/HEAD': 'ref: refs/heads/main\n',
      'ci.yml': "include:\n  - local: 'ci/**/*.yml'\nmain:\n  script: [echo]\n",
      'ci/a/jobs.yml': 'looped:\n  script: [sleep 5 &]\n',
    });
    symlinkSync('..', join(dir, 'ci', 'a', 'up'));
    mkdirSync(join(dir, 'ci', 'b'));
    symlinkSync(join(dir, 'ci', 'b'), join(dir, 'ci', 'b', 'self'));
    const r = await cli(['lint', '--no-config', '--no-color', 'ci.yml'], dir);
    expect(r.stdout).toMatch(/^ci\/a\/jobs\.yml:2:12: error `sleep`/m);
    expect(r.stdout.match(/`sleep` runs in the background/g)).toHaveLength(1);
    expect(r.code).toBe(1);
  });
});
