/**
 * The CLI bundle's entry: runs `main` with the process's arguments and streams, and sets the exit code.
 * `done` settles when the command has finished (the loader writes its compile cache after that).
 */
import { main } from '../cli.js';
import { EXIT, type CliIO } from './io.js';

const io: CliIO = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
  env: process.env,
  isTTY: !!process.stdout.isTTY,
};

export const done: Promise<void> = main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`ci-bgsafe: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
