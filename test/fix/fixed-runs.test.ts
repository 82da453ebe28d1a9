/**
 * What `--fix` writes runs: a job whose background service held the job's output (the runner waits
 * for it) is fixed, its script is read back from the fixed file as GitLab builds it (the hidden job's
 * library through `!reference`), and the runner-like harness runs it with real processes.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { applyFixes } from '../../src/fix/index.js';
import { loadPipeline } from '../../src/gitlab/index.js';
import { lint } from '../../src/lint.js';
import { killAllJobs, runJob, type HarnessShell } from '../harness/runner.js';

const dirs: string[] = [];
afterAll(async () => {
  await killAllJobs();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The job's before_script and script, one shell body, as the runner concatenates them. */
function body(file: string, text: string, job: string): string {
  const j = loadPipeline(file, { text }).jobs.find((x) => x.name === job)!;
  return [...j.before_script, ...j.script].map((i) => i.text).join('\n');
}

const cases: Array<{ shell: HarnessShell; image?: string }> = [{ shell: 'bash' }, { shell: 'busybox', image: 'alpine:3.20' }];

describe.concurrent('a fixed job runs', () => {
  for (const { shell, image } of cases) {
    it(`${shell}: the job that hung finishes, keeps its exit status, and leaves nothing running`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-fixed-'));
      dirs.push(dir);
      const file = join(dir, '.gitlab-ci.yml');
      const head = image ? `  image: ${image}\n` : '  tags: [shell]\n';
      const text = `ok:\n${head}  script:\n    - sleep 300 &\n    - echo WORK-DONE\n\nfailing:\n${head}  script:\n    - sleep 301 &\n    - sh -c 'exit 7'\n`;
      writeFileSync(file, text);
      // The executor is guessed: a shell runner for the tagged job (bash), docker for alpine (sh, the POSIX library).
      const options = { noConfig: true };

      // Before: the background `sleep` holds the job's output, so the runner waits for it.
      const hung = runJob({ body: body(file, text, 'ok'), shell, timeoutMs: 3000 });
      const before = await hung.result();
      expect(before.output).toContain('WORK-DONE');
      expect(before.hung).toBe(true);
      await hung.cleanup();

      const report = await lint([file], { ...options, cwd: dir });
      await applyFixes(report, { write: true, cwd: dir, lint: options });
      const fixed = readFileSync(file, 'utf8');
      expect(fixed).toContain(`    - !reference [${image ? '.ci-bgsafe-sh' : '.ci-bgsafe'}, before_script]\n    - ci_bgsafe_start sleep -- sleep 300\n`);

      const ok = runJob({ body: body(file, fixed, 'ok'), shell, timeoutMs: 30_000 });
      const failing = runJob({ body: body(file, fixed, 'failing'), shell, timeoutMs: 30_000 });
      const [r1, r2] = await Promise.all([ok.result(), failing.result()]);
      expect(r1.hung).toBe(false);
      expect(r1.exitCode, r1.output).toBe(0);
      expect(r1.output).toContain('WORK-DONE');
      expect(r2.hung).toBe(false);
      expect(r2.exitCode).toBe(7);
      expect(await ok.leftoversAfter(5000)).toEqual([]);
      expect(await failing.leftoversAfter(5000)).toEqual([]);
      await ok.cleanup();
      await failing.cleanup();
    }, 60_000);
  }
});
