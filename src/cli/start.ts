/** Built to dist/start.cjs: runs dist/cli.cjs through the compile cache (see compile-cache.ts). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readCachedBundle } from './compile-cache.js';
import { compileGrammarEarly } from '../shell/grammar.js';

declare const __CLI_BUILD_HASH__: string;

const bundle = join(__dirname, 'cli.cjs');
if (!existsSync(bundle)) {
  // A checkout that was never built: say so rather than show a stack trace.
  process.stderr.write(`ci-bgsafe: ${bundle} is missing; run \`npm run build\` (or reinstall ci-bgsafe)\n`);
  process.exitCode = 3;
} else {
  // The bash parser's WebAssembly compiles on V8's background threads while the CLI loads (see
  // grammar.ts). Each compilation goes on in the background only after a turn of the event loop taken
  // once V8 has decoded its bytes: reading the CLI's files gives it that time, and the loop turns before
  // the CLI is compiled (the longest step here) and again before it runs.
  compileGrammarEarly();
  const read = readCachedBundle(bundle, __CLI_BUILD_HASH__, process.env, process.argv.slice(2));
  setImmediate(() => {
    const { state, run } = read.compile();
    setImmediate(() => {
      run();
      if (process.env.CI_BGSAFE_DEBUG) process.stderr.write(`ci-bgsafe: compile cache ${state.status}${state.file ? ` (${state.file})` : ''}\n`);
    });
  });
}
