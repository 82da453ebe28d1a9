/**
 * Golden files: checked-in expected outputs that a test compares with what the code produces.
 *
 * `UPDATE_GOLDEN=1` is the only way a golden is written (review the diff before committing). Without
 * it a missing golden fails the test, like a changed one: a case whose golden was never written
 * cannot pass.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { expect } from 'vitest';

/** Whether this run writes goldens (`UPDATE_GOLDEN=1`). */
export const UPDATING = process.env.UPDATE_GOLDEN === '1';

/** Compares `actual` with the golden file `file` (an absolute path); with UPDATE_GOLDEN=1, writes it first. */
export function expectGolden(file: string, actual: string): void {
  if (UPDATING) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
  }
  const name = relative(process.cwd(), file);
  if (!existsSync(file)) expect.fail(`${name}: no golden file; run the test with UPDATE_GOLDEN=1 to write it, then review it`);
  expect(actual, `${name} (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(file, 'utf8'));
}
