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
import {
  linkPidVars,
  moveCmd,
  type Assignment,
  type Background,
  type Cmd,
  type Expansion,
  type Facts,
  type Func,
  type ParseProblem,
  type SetOption,
  type Trap,
} from './facts.js';

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
 * Each kind of fact is moved when first read (a rule that reads no expansions costs none).
 */
export function composeFacts(text: string, pieces: ReadonlyArray<Piece>): Facts {
  return new ComposedFacts(text, pieces);
}

class ComposedFacts implements Facts {
  readonly text: string;
  readonly clean = true;
  readonly tree = undefined;
  readonly problems: ParseProblem[] = [];
  readonly #pieces: ReadonlyArray<Piece>;
  /** Per piece, its commands moved: a trap's or a `set`'s command stays the same object as in `cmds`. */
  readonly #moved: Array<Map<Cmd, Cmd> | undefined>;
  #cmds?: Cmd[];
  #backgrounds?: Background[];
  #traps?: Trap[];
  #sets?: SetOption[];
  #funcs?: Map<string, Func>;
  #assignments?: Assignment[];
  #expansions?: Expansion[];
  #bashisms?: Facts['bashisms'];

  constructor(text: string, pieces: ReadonlyArray<Piece>) {
    this.text = text;
    this.#pieces = pieces;
    this.#moved = new Array<Map<Cmd, Cmd> | undefined>(pieces.length);
  }

  #move(k: number, c: Cmd): Cmd {
    const moved = (this.#moved[k] ??= new Map());
    let m = moved.get(c);
    if (!m) moved.set(c, (m = moveCmd(c, this.#pieces[k]!.at)));
    return m;
  }

  /** Every piece's `pick` list, moved by `move`, in program order. */
  #all<T>(pick: (f: Facts) => readonly T[], move: (x: T, at: number, k: number) => T): T[] {
    const out: T[] = [];
    this.#pieces.forEach(({ facts, at }, k) => {
      for (const x of pick(facts)) out.push(move(x, at, k));
    });
    return out;
  }

  get cmds(): Cmd[] {
    return (this.#cmds ??= this.#all((f) => f.cmds, (c, _at, k) => this.#move(k, c)));
  }

  get backgrounds(): Background[] {
    if (!this.#backgrounds) {
      this.#backgrounds = this.#all(
        (f) => f.backgrounds,
        (b, at, k) => ({ ...moved(b, at), amp: b.amp + at, cmds: b.cmds.map((c) => this.#move(k, c)), pidVars: [] }),
      );
      // `PID=$!` may follow its background statement in a later item.
      linkPidVars(this.#backgrounds, this.#all((f) => f.assignments.filter((a) => a.fromBang), moved));
    }
    return this.#backgrounds;
  }

  get traps(): Trap[] {
    return (this.#traps ??= this.#all(
      (f) => f.traps,
      (t, at, k) => ({
        ...t,
        cmd: this.#move(k, t.cmd),
        handlerStart: t.handlerStart + at,
        rawSignals: t.rawSignals.map((s) => moved(s, at)),
      }),
    ));
  }

  get sets(): SetOption[] {
    return (this.#sets ??= this.#all((f) => f.sets, (s, _at, k) => ({ ...s, cmd: this.#move(k, s.cmd) })));
  }

  get funcs(): Map<string, Func> {
    if (!this.#funcs) {
      // The first definition of a name is the one kept, as when the program is read whole.
      const funcs = new Map<string, Func>();
      for (const { facts, at } of this.#pieces) {
        for (const [name, fn] of facts.funcs) if (!funcs.has(name)) funcs.set(name, moved(fn, at));
      }
      this.#funcs = funcs;
    }
    return this.#funcs;
  }

  get assignments(): Assignment[] {
    return (this.#assignments ??= this.#all((f) => f.assignments, moved));
  }

  get expansions(): Expansion[] {
    return (this.#expansions ??= this.#all((f) => f.expansions, moved));
  }

  get bashisms(): Facts['bashisms'] {
    return (this.#bashisms ??= this.#all((f) => f.bashisms, moved));
  }
}

/** A copy of `x` at offsets `at` characters later. */
function moved<T extends { start: number; end: number }>(x: T, at: number): T {
  return { ...x, start: x.start + at, end: x.end + at };
}
