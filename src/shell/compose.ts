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
import { linkPidVars, moveCmd, type Background, type Cmd, type Facts } from './facts.js';

/**
 * Whether an item's text reads the same followed by a newline and more statements: it parsed without
 * an error, and it does not end with a backslash (`$\` parses alone, but before a newline it continues
 * onto the next line).
 */
export function standsAlone(f: Facts): boolean {
  return f.clean && !f.text.endsWith('\\');
}

/** The facts of `text`, made of `pieces`: each item's facts with the offset of the item in `text`. */
export function composeFacts(text: string, pieces: ReadonlyArray<{ facts: Facts; at: number }>): Facts {
  const out: Facts = {
    text,
    clean: true,
    cmds: [],
    backgrounds: [],
    traps: [],
    sets: [],
    funcs: new Map(),
    assignments: [],
    expansions: [],
    bashisms: [],
    problems: [],
  };
  for (const { facts: f, at } of pieces) {
    // A trap's or a `set`'s command is one of the item's commands: it stays the same object.
    const moved = new Map<Cmd, Cmd>();
    const move = (c: Cmd): Cmd => {
      let m = moved.get(c);
      if (!m) moved.set(c, (m = moveCmd(c, at)));
      return m;
    };
    for (const c of f.cmds) out.cmds.push(move(c));
    for (const b of f.backgrounds) out.backgrounds.push(moveBackground(b, at, move));
    for (const t of f.traps) {
      out.traps.push({
        ...t,
        cmd: move(t.cmd),
        handlerStart: t.handlerStart + at,
        rawSignals: t.rawSignals.map((s) => ({ text: s.text, start: s.start + at, end: s.end + at })),
      });
    }
    for (const s of f.sets) out.sets.push({ ...s, cmd: move(s.cmd) });
    // The first definition of a name is the one kept, as when the program is read whole.
    for (const [name, fn] of f.funcs) if (!out.funcs.has(name)) out.funcs.set(name, { ...fn, start: fn.start + at, end: fn.end + at });
    for (const a of f.assignments) out.assignments.push({ ...a, start: a.start + at, end: a.end + at });
    for (const e of f.expansions) out.expansions.push({ ...e, start: e.start + at, end: e.end + at });
    for (const b of f.bashisms) out.bashisms.push({ what: b.what, start: b.start + at, end: b.end + at });
  }
  // `PID=$!` may follow its background statement in a later item.
  linkPidVars(out);
  return out;
}

function moveBackground(b: Background, at: number, move: (c: Cmd) => Cmd): Background {
  return { ...b, start: b.start + at, end: b.end + at, amp: b.amp + at, cmds: b.cmds.map(move), pidVars: [] };
}
