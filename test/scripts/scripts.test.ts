/**
 * Repository scripts: the project's shell scripts a job runs or sources are read and analysed with it,
 * findings point into the script and name the job line that runs it; nothing outside the project is
 * read, scripts running scripts are followed to a bounded depth, and a script given to lint is linted
 * as if a job ran it.
 */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/index.js';
import { lint, lintFile } from '../../src/lint.js';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-scripts-'));
  for (const [rel, text] of Object.entries(files)) {
    const p = join(dir, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
    if (rel.endsWith('.sh')) chmodSync(p, 0o755);
  }
  return dir;
}

const where = (r: Awaited<ReturnType<typeof lint>>, dir: string) =>
  r.findings.map((f) => `${relative(dir, f.file)}:${f.line}:${f.column} ${f.ruleId} [${f.jobs.join(',')}]`);

describe('repository scripts', () => {
  it('a sourced script is part of the job: its start and the job line that sources it', async () => {
    const dir = project({
      '.gitlab-ci.yml': 'test:\n  tags: [shell]\n  before_script:\n    - source ci/env.sh\n  script:\n    - npm test\n',
      'ci/env.sh': 'export PORT=1025\n./mailcatcher --smtp-port "$PORT" > mail.log 2>&1 &\n',
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(where(r, dir)).toEqual(['ci/env.sh:2:1 BG001 [test]']);
    expect(r.findings[0]!.message).toContain('(In ci/env.sh, run by `source ci/env.sh` at .gitlab-ci.yml:4.)');
    expect(r.findings[0]!.fixable).toBe(false);
  });

  it("a sourced script's trap is the job's: a start in the job that it stops is clean", async () => {
    const dir = project({
      '.gitlab-ci.yml': 'test:\n  tags: [shell]\n  script:\n    - . ./ci/cleanup.sh\n    - ./server > server.log 2>&1 &\n    - SERVER_PID=$!\n    - npm test\n',
      'ci/cleanup.sh': "trap 'kill \"$SERVER_PID\" 2>/dev/null || true' EXIT\n",
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(where(r, dir)).toEqual([]);
  });

  it('an executed script that returns with work still running leaks it into the job; one that stops it does not', async () => {
    const dir = project({
      '.gitlab-ci.yml': 'test:\n  tags: [shell]\n  script:\n    - ./ci/start.sh\n    - bash ci/e2e.sh\n    - sh ci/missing.sh\n',
      'ci/start.sh': '#!/bin/sh\nredis-server --port 6391 > /tmp/redis.log 2>&1 &\n',
      'ci/e2e.sh': '#!/bin/bash\ntrap \'kill "$P"\' EXIT\n./server > s.log 2>&1 &\nP=$!\nnpm run e2e\n',
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(where(r, dir)).toEqual(['ci/start.sh:2:1 BG001 [test]']);
    expect(r.findings[0]!.message).toContain('run by `./ci/start.sh` at .gitlab-ci.yml:4');
  });

  it('an executed script runs in the shell that runs it or its #! line names: bash code in a bash script of an alpine job is fine', async () => {
    // Each script uses a bash-only array; busybox ash fails on it (checked: busybox sh -c 'a=(1 2)').
    const bashOnly = 'arr=(a b)\necho "${arr[1]}"\n';
    const dir = project({
      '.gitlab-ci.yml': 'test:\n  image: alpine:3.20\n  script:\n    - ./ci/bash-shebang.sh\n    - bash ci/plain.sh\n    - sh ci/plain.sh\n    - ./ci/sh-shebang.sh\n',
      'ci/bash-shebang.sh': `#!/usr/bin/env bash\n${bashOnly}`,
      'ci/plain.sh': bashOnly,
      'ci/sh-shebang.sh': `#!/bin/sh\n${bashOnly}`,
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    // `bash ci/plain.sh` and the bash #! line run bash; `sh ci/plain.sh` and `#!/bin/sh` run busybox ash.
    expect(where(r, dir).filter((f) => f.includes('BG008'))).toEqual([
      'ci/plain.sh:1:5 BG008 [test]',
      'ci/plain.sh:2:9 BG008 [test]',
      'ci/sh-shebang.sh:2:5 BG008 [test]',
      'ci/sh-shebang.sh:3:9 BG008 [test]',
    ]);
  });

  it('follows a `cd` known statically, and stops following after one that is not', async () => {
    const dir = project({
      '.gitlab-ci.yml': 'test:\n  tags: [shell]\n  script:\n    - cd app\n    - ./run.sh\n    - cd "$WHERE"\n    - ./run.sh\n',
      'app/run.sh': '#!/bin/sh\n./api > api.log 2>&1 &\n',
      'run.sh': '#!/bin/sh\n./other > other.log 2>&1 &\n',
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(where(r, dir)).toEqual(['app/run.sh:2:1 BG001 [test]']);
  });

  it('reads nothing outside the project, and stops at a script that runs itself', async () => {
    const outside = project({ 'evil.sh': '#!/bin/sh\n./x &\n' });
    const dir = project({
      '.gitlab-ci.yml': `test:\n  tags: [shell]\n  script:\n    - source ${join(outside, 'evil.sh')}\n    - bash ../${outside.split('/').pop()}/evil.sh\n    - ./loop.sh\n`,
      'loop.sh': '#!/bin/sh\n./loop.sh\n',
    });
    const r = await lint([join(dir, '.gitlab-ci.yml')], { cwd: dir, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(where(r, dir)).toEqual([]);
  });

  it('lints a shell script given on its own as if a job ran it', async () => {
    const dir = project({ 'ci/start.sh': '#!/usr/bin/env bash\nset -e\n./mock --port 9000 &\n./tests\n', 'ci/serve': '#!/bin/sh\n./api > api.log 2>&1 &\n' });
    const r = await lint([join(dir, 'ci/start.sh'), join(dir, 'ci/serve')], { cwd: dir, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(where(r, dir)).toEqual(['ci/serve:2:1 BG001 [script ci/serve]', 'ci/start.sh:3:1 BG001 [script ci/start.sh]', 'ci/start.sh:3:1 BG009 [script ci/start.sh]']);
  });

  it('a YAML file whose first line looks like `#!/bin/sh` is read as YAML, not as a script', async () => {
    const dir = project({ 'ci.yml': '#!/bin/sh (a comment: this is YAML)\njob:\n  tags: [shell]\n  script:\n    - ./api &\n' });
    const r = await lint([join(dir, 'ci.yml')], { cwd: dir, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(where(r, dir)).toContain('ci.yml:5:7 BG001 [job]');
  });

  it("a script's unsaved text (an editor's buffer) is what is linted, `#!` line included", () => {
    const dir = project({ 'ci/serve': 'echo nothing here yet\n' });
    const file = join(dir, 'ci/serve');
    const texts = new Map([[file, '#!/bin/sh\n./api > api.log 2>&1 &\n']]);
    const r = lintFile(file, defaultConfig(), { cwd: dir, noConfig: true, texts });
    expect(r.errors).toEqual([]);
    expect(r.findings.map((f) => `${relative(dir, f.file)}:${f.line}:${f.column} ${f.ruleId}`)).toEqual(['ci/serve:2:1 BG001']);
  });
});
