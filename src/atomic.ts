import { chmodSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crypto } from './builtin.js';

/**
 * Writes `text` to `target` so that readers see the old or the new content, never half of it:
 * a temporary file in the same folder, then a rename. An existing file keeps its mode.
 */
export function writeFileAtomic(target: string, text: string): void {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${crypto().randomBytes(4).toString('hex')}.tmp`);
  let mode: number | undefined;
  try {
    mode = statSync(target).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  try {
    writeFileSync(tmp, text, { mode: mode ?? 0o644 });
    if (mode !== undefined) chmodSync(tmp, mode); // the umask may have narrowed it
    renameSync(tmp, target);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // never created
    }
    throw e;
  }
}
