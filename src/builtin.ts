/**
 * Node built-ins that only some commands need, loaded on first use rather than at start-up
 * (the CLI is one bundle: a top-level import would be loaded by every run).
 */
import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/** `node:crypto`, on first use. */
export function crypto(): typeof import('node:crypto') {
  return load('node:crypto') as typeof import('node:crypto');
}
