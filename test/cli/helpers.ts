import type { CliIO } from '../../src/cli/io.js';

export interface FakeIO extends CliIO {
  stdout: string;
  stderr: string;
}

/** A CliIO that records what the CLI writes. */
export function fakeIO(cwd: string, opts: { stdin?: string; env?: Record<string, string>; isTTY?: boolean } = {}): FakeIO {
  const io: FakeIO = {
    stdout: '',
    stderr: '',
    out: (s) => {
      io.stdout += s;
    },
    err: (s) => {
      io.stderr += s;
    },
    readStdin: async () => opts.stdin ?? '',
    cwd,
    env: opts.env ?? {},
    isTTY: opts.isTTY ?? false,
  };
  return io;
}
