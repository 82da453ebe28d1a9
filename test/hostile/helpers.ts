/** Shared helpers of the hostile-input tests: an in-process CLI and temporary folders. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../../src/cli.js';
import type { CliIO } from '../../src/cli/io.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `ci-bgsafe ARGS` in-process in `cwd`, with optional standard input. */
export async function cli(args: string[], cwd: string, stdin = ''): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    out: (s) => {
      stdout += s;
    },
    err: (s) => {
      stderr += s;
    },
    readStdin: async () => stdin,
    cwd,
    env: {},
    isTTY: false,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A fresh temporary folder; `cleanup()` removes every folder made so far. */
const made: string[] = [];
export function tempDir(prefix = 'ci-bgsafe-hostile-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  made.push(d);
  return d;
}
export function cleanup(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Writes files (text or bytes) under `dir`, creating folders. */
export function writeFiles(dir: string, files: Record<string, string | Uint8Array>): void {
  for (const [name, content] of Object.entries(files)) {
    const f = join(dir, name);
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, content);
  }
}
