#!/usr/bin/env node
// The command: the bundled CLI (dist/cli.cjs), through Node's compile cache where the running Node has
// one (22.1 and later; NODE_COMPILE_CACHE chooses its folder, NODE_DISABLE_COMPILE_CACHE=1 turns it off).
const { existsSync } = require('node:fs');
const { enableCompileCache } = require('node:module');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.cjs');
if (existsSync(cli)) {
  enableCompileCache?.();
  require(cli);
} else {
  // A checkout that was never built: say so rather than show a stack trace.
  process.stderr.write(`ci-bgsafe: ${cli} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
  process.exitCode = 3;
}
