/**
 * The CLI's process entry (dist/cli.cjs): runs `main` with the process's arguments and streams, and
 * sets the exit code.
 *
 * A reader that stops early (`ci-bgsafe lint | head`) closes the pipe: nothing more is written there
 * and the run ends with its own exit code. Any other write error (a full disk) fails the run with 2,
 * as an unwritable --output file does. Node's streams write whole, in order, to a file, a terminal
 * or a pipe, waiting for a full pipe that another process made non-blocking to drain.
 */
import { setHost } from '../host.js';
import { nodeHost } from '../node/host.js';
import { initShellParser } from '../shell/parser.js';
import { EXIT, type CliIO } from './io.js';

setHost(nodeHost);

// For `lint`, the bash grammar compiles on V8's background threads while the rest of the CLI loads
// (lint awaits the same promise, and reports a failure to load it).
if (process.argv[2] === 'lint') initShellParser().catch(() => undefined);

let writeFailed = false;

/** Writes to `stream` until it fails; a failure other than a reader that has gone is reported. */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  let closed = false;
  stream.on('error', (e: NodeJS.ErrnoException) => {
    closed = true;
    if (e.code === 'EPIPE') return;
    writeFailed = true;
    process.exitCode = EXIT.USAGE;
    if (stream !== process.stderr) err(`ci-bgsafe: cannot write the report: ${e.message}\n`);
  });
  return (text) => {
    if (!closed && text) stream.write(text);
  };
}

const out = writer(process.stdout);
const err = writer(process.stderr);

const io: CliIO = {
  out,
  err,
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
  env: process.env,
  isTTY: !!process.stdout.isTTY,
};

async function run(): Promise<number> {
  const { main } = await import('../cli.js');
  return main(process.argv.slice(2), io);
}

// The rest of the CLI loads after a turn of the event loop, which the grammar's compilation needs to go on.
setImmediate(() =>
  run().then(
    (code) => {
      process.exitCode = writeFailed ? EXIT.USAGE : code;
    },
    (e: unknown) => {
      err(`ci-bgsafe: internal error: ${(e as Error)?.message ?? String(e)}\n`);
      process.exitCode = EXIT.INTERNAL;
    },
  ),
);
