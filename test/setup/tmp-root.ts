/**
 * Every temporary file of a test run goes under one folder, removed when the run ends: tests create their
 * folders with `mkdtemp(tmpdir())`, and `tmpdir()` follows TMPDIR, which the test workers and the processes
 * they start inherit from here. vitest runs this once for the run and once for each project: the first
 * makes the folder, the others use it (a folder in a folder would make paths too long for the unix
 * sockets Chromium makes there).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MARK = 'CI_BGSAFE_TEST_TMPDIR';

export default function setup(): () => void {
  if (process.env[MARK]) return () => undefined;
  const root = mkdtempSync(join(tmpdir(), 'ci-bgsafe-test-'));
  process.env[MARK] = root;
  process.env.TMPDIR = root;
  return () => {
    rmSync(root, { recursive: true, force: true, maxRetries: 3 });
    delete process.env[MARK];
  };
}
