/**
 * Shell facts: what a bash program does that matters for background processes (background
 * statements, traps, `set` options, simple commands, functions, assignments, expansions, bash-only
 * syntax), each with its offsets.
 *
 * model.ts     the facts, and how each kind moves into a longer program's text
 * walk.ts      the walk over the syntax tree that finds them
 * command.ts   simple commands and their wrappers
 * builtins.ts  `trap`, `set`, `read`
 * streams.ts   where a statement's output goes
 * bashisms.ts  bash-only syntax, one row per construct
 * tables.ts    signals, `set` letters, wrappers
 * text.ts      the static text of a word
 * tree.ts      node types by id
 */
export * from './model.js';
export { extractFacts, linkPidVars } from './walk.js';
export { moveCmd, nodeRange } from './command.js';
export { staticText, staticTextOf, basename } from './text.js';
export { normaliseSignal } from './tables.js';
export { outputStreams } from './streams.js';
export { CONSTRUCTS, type Construct, type Shell } from './bashisms.js';
