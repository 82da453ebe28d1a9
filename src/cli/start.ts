/** Built to dist/start.cjs: runs dist/cli.cjs through the compile cache (see compile-cache.ts). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCachedBundle } from './compile-cache.js';

declare const __CLI_BUILD_HASH__: string;

const bundle = join(__dirname, 'cli.cjs');
if (!existsSync(bundle)) {
  // A checkout that was never built: say so rather than show a stack trace.
  process.stderr.write(`ci-bgsafe: ${bundle} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
  process.exitCode = 3;
} else {
  const state = runCachedBundle(bundle, __CLI_BUILD_HASH__, process.env, process.argv.slice(2));
  if (process.env.CI_BGSAFE_DEBUG) process.stderr.write(`ci-bgsafe: compile cache ${state.status}${state.file ? ` (${state.file})` : ''}\n`);
}
