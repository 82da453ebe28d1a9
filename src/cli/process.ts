/**
 * The CLI bundle's entry: runs `main` with the process's arguments and streams, and sets the exit code.
 * `done` settles when the command has finished (the loader writes its compile cache after that).
 */
import { writeSync } from 'node:fs';
import { main } from '../cli.js';
import { EXIT, pieces, type CliIO } from './io.js';

// A reader that stops early (`ci-bgsafe lint | head`) closes the pipe: write nothing more there and
// let the run end with its own exit code. Any other write error (a full disk) fails the run with 2,
// as an unwritable --output file does.
const closed = new Set<NodeJS.WriteStream>();
let writeFailed = false;
function failed(stream: NodeJS.WriteStream, e: NodeJS.ErrnoException): void {
  closed.add(stream);
  if (e.code === 'EPIPE') return;
  writeFailed = true;
  write(process.stderr, `ci-bgsafe: cannot write the report: ${e.message}\n`);
}
for (const stream of [process.stdout, process.stderr]) stream.on('error', (e: NodeJS.ErrnoException) => failed(stream, e));

/**
 * Large reports (megabytes of JSON for thousands of jobs) go out in pieces: one write of the whole text
 * makes a buffer of its size first, page by page. A file (or /dev/null), which Node writes synchronously
 * itself, gets the text without that copy.
 */
function write(stream: NodeJS.WriteStream, s: string): void {
  const file = (stream as { _type?: string; fd?: number })._type === 'fs' ? (stream as { fd?: number }).fd : undefined;
  for (const piece of pieces(s)) {
    if (closed.has(stream)) return;
    if (file === undefined) stream.write(piece);
    else {
      try {
        writeSync(file, piece);
      } catch (e) {
        failed(stream, e as NodeJS.ErrnoException);
      }
    }
  }
}

const io: CliIO = {
  out: (s) => write(process.stdout, s),
  err: (s) => write(process.stderr, s),
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
    process.exitCode = writeFailed ? EXIT.USAGE : code;
  },
  (e: unknown) => {
    process.stderr.write(`ci-bgsafe: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    process.exitCode = EXIT.INTERNAL;
  },
);
