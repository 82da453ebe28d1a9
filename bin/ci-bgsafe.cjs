#!/usr/bin/env node
// The command: runs the bundled CLI (dist/cli.cjs) through its compile cache (dist/start.cjs).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const start = join(__dirname, '..', 'dist', 'start.cjs');
if (existsSync(start)) {
  require(start);
} else {
  // A checkout that was never built: say so rather than show a stack trace.
  process.stderr.write(`ci-bgsafe: ${start} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
  process.exitCode = 3;
}
