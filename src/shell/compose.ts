/**
 * The facts of a program put together from the facts of its script items.
 *
 * GitLab runs a job's items as one script, one after another. An item that parses without an error
 * is a complete list of statements: followed by a newline and more statements, its syntax tree is the
 * same (tree-sitter-bash reports an open quote, heredoc, `\` continuation, trailing `|` or `&&` and an
 * unclosed compound command as errors). So when every item of a program parses cleanly on its own,
 * the program's facts are its items' facts, one after the other, each moved to where its item starts.
 * An item is parsed once however many jobs run it (a `default:` before_script, an anchor, an
 * `extends` template, the same command in many jobs); a program with an item that is not complete on
 * its own is parsed whole, as written.
 */
import { LIST_KINDS, linkPidVars, moveCmd, MOVERS, shift, type Cmd, type FactLists, type Facts, type Func, type Mover } from './facts/index.js';

/**
 * Whether an item's text reads the same followed by a newline and more statements: it parsed without
 * an error, and it does not end with a backslash (`$\` parses alone, but before a newline it continues
 * onto the next line).
 */
export function standsAlone(f: Facts): boolean {
  return f.clean && !f.text.endsWith('\\');
}

interface Piece {
  facts: Facts;
  /** Offset of the item in the program text. */
  at: number;
}

/**
 * The facts of `text`, made of `pieces`: each item's facts with the offset of the item in `text`.
 * Each kind of fact is moved when first read (a rule that reads no expansions costs none), as its
 * row of `MOVERS` says.
 */
export function composeFacts(text: string, pieces: ReadonlyArray<Piece>): Facts {
  return new ComposedFacts(text, pieces);
}

// Its lists are read through getters made from `LIST_KINDS` (below).
interface ComposedFacts extends FactLists {}

class ComposedFacts implements Facts {
  readonly text: string;
  readonly clean = true;
  readonly tree = undefined;
  readonly #pieces: ReadonlyArray<Piece>;
  /** Per piece, what moves its facts: a trap's or a `set`'s command stays the same object as in `cmds`. */
  readonly #movers: Mover[];
  readonly #lists = new Map<keyof FactLists, unknown[]>();
  #funcs?: Map<string, Func>;

  constructor(text: string, pieces: ReadonlyArray<Piece>) {
    this.text = text;
    this.#pieces = pieces;
    this.#movers = pieces.map(({ at }) => {
      const moved = new Map<Cmd, Cmd>();
      return {
        delta: at,
        cmd(c: Cmd): Cmd {
          let m = moved.get(c);
          if (!m) moved.set(c, (m = moveCmd(c, at)));
          return m;
        },
      };
    });
  }

  /** Every piece's facts of one kind, moved, in program order. */
  list<K extends keyof FactLists>(kind: K): FactLists[K] {
    let out = this.#lists.get(kind) as FactLists[K] | undefined;
    if (!out) {
      const move = MOVERS[kind] as (x: FactLists[K][number], m: Mover) => FactLists[K][number];
      const all: Array<FactLists[K][number]> = [];
      this.#pieces.forEach(({ facts }, k) => {
        for (const x of facts[kind] as Array<FactLists[K][number]>) all.push(move(x, this.#movers[k]!));
      });
      out = all as FactLists[K];
      this.#lists.set(kind, out);
      // `PID=$!` may follow its background statement in a later item.
      if (kind === 'backgrounds') linkPidVars(out as FactLists['backgrounds'], this.list('assignments'));
    }
    return out;
  }

  get funcs(): Map<string, Func> {
    if (!this.#funcs) {
      // The first definition of a name is the one kept, as when the program is read whole.
      const funcs = new Map<string, Func>();
      for (const { facts, at } of this.#pieces) {
        for (const [name, fn] of facts.funcs) if (!funcs.has(name)) funcs.set(name, shift(fn, at));
      }
      this.#funcs = funcs;
    }
    return this.#funcs;
  }
}

// A getter per kind of fact, each reading `list`.
for (const kind of LIST_KINDS) {
  Object.defineProperty(ComposedFacts.prototype, kind, {
    get(this: ComposedFacts) {
      return this.list(kind);
    },
  });
}
