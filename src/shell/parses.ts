/**
 * The parses of one lint run: each distinct program text parsed once, its facts (and the syntax tree
 * they read from, in WebAssembly memory) kept while a job still to be linted uses it, then freed.
 */
import { extractFacts, type Facts } from './facts/index.js';

/** Outside a plan (a caller analysing jobs itself), at most this many parses are held. */
const LIMIT = 20_000;
/** Trap handler texts kept from job to job (the same few handlers recur). */
const HANDLER_LIMIT = 1024;

export class Parses {
  readonly #facts = new Map<string, Facts>();
  /** Remaining planned uses of texts (see `plan`). */
  readonly #planned = new Map<string, number>();
  /** Texts parsed while a plan is open but not in it (programs read whole, trap handlers). */
  #unplanned: string[] = [];
  readonly #handlers = new Set<string>();

  /** How many parsed texts are held. */
  get size(): number {
    return this.#facts.size;
  }

  /**
   * Facts of a program text, parsed once per distinct text. `handler`: a trap handler's text, kept
   * between jobs while a plan is open (see `release`).
   */
  of(text: string, handler = false): Facts {
    let f = this.#facts.get(text);
    if (!f) {
      if (!this.#planned.size && this.#facts.size >= LIMIT) this.clear();
      f = extractFacts(text);
      this.#facts.set(text, f);
      if (this.#planned.size && !this.#planned.has(text)) this.#unplanned.push(text);
    }
    if (handler && this.#planned.size) this.#handlers.add(text);
    return f;
  }

  /**
   * Declares the texts about to be parsed, once per use. The facts of a planned text are kept until
   * `release` has been called for its last use, then dropped with their tree: a text used by one job
   * lives for that job only (short-lived objects are cheap to collect), a shared one is parsed once.
   */
  plan(texts: Iterable<string>): void {
    for (const t of texts) this.#planned.set(t, (this.#planned.get(t) ?? 0) + 1);
  }

  /**
   * One planned use of `text` is over; after the last, its facts are dropped and the tree freed. Between
   * two jobs, so also the unplanned parses of the job just done: programs read whole, and trap handlers
   * once there are more than HANDLER_LIMIT of them (while a job runs, every parse it reads stays valid).
   */
  release(text: string): void {
    const n = this.#planned.get(text);
    if (n === undefined) return;
    if (n > 1) this.#planned.set(text, n - 1);
    else {
      this.#planned.delete(text);
      this.#drop(text);
    }
    for (const t of this.#unplanned) if (!this.#planned.has(t) && !this.#handlers.has(t)) this.#drop(t);
    this.#unplanned = [];
    if (this.#handlers.size > HANDLER_LIMIT) this.releaseUnplanned();
  }

  /** Frees every parse no planned use waits for: at the end of a run, when nothing read from them is in use. */
  releaseUnplanned(): void {
    for (const t of [...this.#facts.keys()]) if (!this.#planned.has(t)) this.#drop(t);
    this.#unplanned = [];
    this.#handlers.clear();
  }

  /** Drops every parse and frees its syntax tree. */
  clear(): void {
    for (const f of this.#facts.values()) f.tree?.delete();
    this.#facts.clear();
    this.#handlers.clear();
  }

  #drop(text: string): void {
    const f = this.#facts.get(text);
    if (f) {
      f.tree?.delete();
      this.#facts.delete(text);
    }
  }
}
