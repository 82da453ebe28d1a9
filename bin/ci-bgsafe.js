#!/usr/bin/env node
// The command: runs the bundled CLI with the process's streams and sets the exit code.
import { main } from '../dist/cli.js';

const io = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  readStdin: async () => {
    const chunks = [];
    for await (const c of process.stdin) chunks.push(c);
    return Buffer.concat(chunks).toString('utf8');
  },
  cwd: process.cwd(),
  env: process.env,
  isTTY: !!process.stdout.isTTY,
};

main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`ci-bgsafe: internal error: ${e?.message ?? e}\n`);
    process.exitCode = 3;
  },
);
