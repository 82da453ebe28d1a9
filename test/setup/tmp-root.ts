/**
 * Every temporary file of a test run goes under one folder, removed when the run ends: tests create their
 * folders with `mkdtemp(tmpdir())`, and `tmpdir()` follows TMPDIR, which the test workers and the processes
 * they start inherit from here.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'ci-bgsafe-test-'));
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true, maxRetries: 3 });
}
