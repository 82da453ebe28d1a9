/**
 * V8 settings for the parser's WebAssembly, set before its first compilation (test/shell/wasm-flags.test.ts
 * shows each one at work in the built command).
 */
import v8 from 'node:v8';

export const WASM_FLAGS = [
  // Baseline compilation only: the optimising tier recompiles the grammar's large lexer function on a
  // background thread, which kept the process alive for ~0.3 s at exit (and ~0.7 s on a busy machine).
  '--liftoff-only',
  // Compile every function when the module is compiled (on V8's background threads, while the CLI loads
  // the YAML), not on its first call: lazily, the first parse compiled the lexer on the main thread (~22 ms).
  '--no-wasm-lazy-compilation',
] as const;

let set = false;
/** Sets the flags once per process; must run before the first WebAssembly compilation. */
export function setWasmFlags(): void {
  if (set) return;
  set = true;
  for (const f of WASM_FLAGS) v8.setFlagsFromString(f);
}
