/** Built to dist/start.cjs: runs dist/cli.cjs through the compile cache (see compile-cache.ts). */
import { join } from 'node:path';
import { runCachedBundle } from './compile-cache.js';

declare const __CLI_BUILD_HASH__: string;

const state = runCachedBundle(join(__dirname, 'cli.cjs'), __CLI_BUILD_HASH__, process.env, process.argv.slice(2));
if (process.env.CI_BGSAFE_DEBUG) process.stderr.write(`ci-bgsafe: compile cache ${state.status}${state.file ? ` (${state.file})` : ''}\n`);
