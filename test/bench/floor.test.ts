/** The benchmark's floor reads the pipeline's own files, and no copy a peer leaves beside them. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const FLOOR = join(import.meta.dirname, '..', '..', 'bench', 'floor.mjs');
const floor = (dir: string): { programs: number } => JSON.parse(execFileSync(process.execPath, [FLOOR, dir], { encoding: 'utf8' }));

describe('bench/floor.mjs', () => {
  it('parses each job of the pipeline and its included files once, and nothing in hidden folders but .gitlab', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-floor-'));
    writeFileSync(join(dir, '.gitlab-ci.yml'), 'include:\n  - local: ci/more.yml\nbuild:\n  script: [make &, wait]\n  after_script: [echo done]\n');
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, 'ci', 'more.yml'), 'test:\n  script: [make test]\n');
    expect(floor(dir).programs).toBe(3);
    // what gitlab-ci-local --list writes beside the pipeline, and a repository's own files
    for (const hidden of ['.gitlab-ci-local', '.git']) {
      mkdirSync(join(dir, hidden));
      writeFileSync(join(dir, hidden, 'expanded-gitlab-ci.yml'), 'build:\n  script: [make]\ntest:\n  script: [make test]\n');
    }
    expect(floor(dir).programs).toBe(3);
    // .gitlab/ci/ holds a large configuration's own files
    mkdirSync(join(dir, '.gitlab', 'ci'), { recursive: true });
    writeFileSync(join(dir, '.gitlab', 'ci', 'docs.gitlab-ci.yml'), 'docs:\n  script: [make docs]\n');
    expect(floor(dir).programs).toBe(4);
  });
});
