/**
 * V8 settings for the parser's WebAssembly. The CLI's loader sets them before it compiles the CLI
 * (a code cache is only accepted under the flags it was made with), the parser before its first compile.
 */
import v8 from 'node:v8';

export const WASM_FLAGS = [
  // Baseline compilation only: the optimising tier would keep the process alive for ~0.3 s at exit.
  '--liftoff-only',
  // Compile every function when the module is compiled (on V8's background threads, started early: see
  // grammar.ts), not on its first call: lazily, the first parse compiled the lexer on the main thread (~22 ms).
  '--no-wasm-lazy-compilation',
  // One background thread per module. The grammar is one large function (its lexer) and compiles on one
  // thread anyway; the runtime's 277 functions spread over every worker thread took CPU from the main
  // thread, which loads the CLI meanwhile and is what the start waits for.
  '--wasm-num-compilation-tasks=1',
] as const;

let set = false;
/** Sets the flags once per process; must run before the first WebAssembly compilation. */
export function setWasmFlags(): void {
  if (set) return;
  set = true;
  for (const f of WASM_FLAGS) v8.setFlagsFromString(f);
}
