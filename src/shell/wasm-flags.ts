/**
 * V8 settings for the parser's WebAssembly. The CLI's loader sets them before it compiles the CLI
 * (a code cache is only accepted under the flags it was made with), the parser before its first compile.
 */
import v8 from 'node:v8';

export const WASM_FLAGS = [
  // Baseline compilation only: the optimising tier would keep the process alive for ~0.3 s at exit.
  '--liftoff-only',
] as const;

let set = false;
/** Sets the flags once per process; must run before the first WebAssembly compilation. */
export function setWasmFlags(): void {
  if (set) return;
  set = true;
  for (const f of WASM_FLAGS) v8.setFlagsFromString(f);
}
