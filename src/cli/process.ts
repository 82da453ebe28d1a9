/**
 * The CLI bundle's entry: runs `main` with the process's arguments and streams, and sets the exit code.
 * `done` settles when the command has finished (the loader writes its compile cache after that).
 */
import { main } from '../cli.js';
import { EXIT, type CliIO } from './io.js';

// A reader that stops early (`ci-bgsafe lint | head`) closes the pipe: write nothing more there and
// let the run end with its own exit code. Any other write error (a full disk) fails the run with 2,
// as an unwritable --output file does.
const closed = new Set<NodeJS.WriteStream>();
let writeFailed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    closed.add(stream);
    if (e.code === 'EPIPE') return;
    writeFailed = true;
    write(process.stderr, `ci-bgsafe: cannot write the report: ${e.message}\n`);
  });
}
function write(stream: NodeJS.WriteStream, s: string): void {
  if (!closed.has(stream)) stream.write(s);
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
