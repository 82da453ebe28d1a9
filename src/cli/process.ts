/**
 * The CLI bundle's entry: runs `main` with the process's arguments and streams, and sets the exit code.
 * `done` settles when the command has finished (the loader writes its compile cache after that).
 */
import { fstatSync, statSync, writeSync } from 'node:fs';
import { main } from '../cli.js';
import { EXIT, useStream, writeTo, type CliIO, type Sink, type WriteDeps } from './io.js';

// Written straight to the descriptors (see Sink), except on Windows, where Node's streams handle the
// console. A reader that stops early (`ci-bgsafe lint | head`) closes the pipe: nothing more is written
// there and the run ends with its own exit code. Any other write error (a full disk) fails the run with 2,
// as an unwritable --output file does.
const direct = process.platform !== 'win32';
const stdout: Sink = { fd: 1, stream: () => process.stdout, closed: false, viaStream: false };
const stderr: Sink = { fd: 2, stream: () => process.stderr, closed: false, viaStream: false };
let writeFailed = false;
const deps: WriteDeps = {
  writeSync: (fd, data, offset) => (typeof data === 'string' ? writeSync(fd, data) : writeSync(fd, data, offset)),
  onError: (sink, e) => {
    writeFailed = true;
    if (sink !== stderr) writeTo(stderr, `ci-bgsafe: cannot write the report: ${e.message}\n`, deps);
  },
};
if (!direct) for (const sink of [stdout, stderr]) useStream(sink, deps);

/**
 * Whether standard output is a terminal, without building `process.stdout` for the answer when it
 * clearly is not: only a character device other than /dev/null can be one.
 */
function stdoutIsTTY(): boolean {
  if (direct) {
    try {
      const st = fstatSync(1);
      if (!st.isCharacterDevice() || st.rdev === statSync('/dev/null').rdev) return false;
    } catch {
      return false;
    }
  }
  return !!process.stdout.isTTY;
}

let isTTY: boolean | undefined;
const io: CliIO = {
  out: (s) => writeTo(stdout, s, deps),
  err: (s) => writeTo(stderr, s, deps),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
  env: process.env,
  get isTTY() {
    return (isTTY ??= stdoutIsTTY());
  },
};

export const done: Promise<void> = main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = writeFailed ? EXIT.USAGE : code;
  },
  (e: unknown) => {
    writeTo(stderr, `ci-bgsafe: internal error: ${(e as Error)?.message ?? String(e)}\n`, deps);
    process.exitCode = EXIT.INTERNAL;
  },
);
