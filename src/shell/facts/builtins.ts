/** The builtins whose words are facts: `trap`, `set`, `read`. */
import { commandBashisms, optionBashisms, signalBashisms } from './bashisms.js';
import type { Assignment, Cmd, Context, Facts, Trap } from './model.js';
import { normaliseSignal, SET_SHORT } from './tables.js';

/** Reads a builtin command into `facts`, if it is one of those. */
export function readBuiltin(cmd: Cmd, ctx: Context, facts: Facts): void {
  commandBashisms(cmd, facts.bashisms);
  if (cmd.name === 'trap') readTrap(cmd, ctx, facts);
  else if (cmd.name === 'set') readSet(cmd, ctx, facts);
  else if (cmd.name === 'read') readRead(cmd, ctx, facts);
}

function readTrap(cmd: Cmd, ctx: Context, facts: Facts): void {
  const args = cmd.args;
  let i = 0;
  if (args[0] === '--') i++;
  if (args[i] === '-l' || args[i] === '-p' || args.length === 0) {
    facts.traps.push({ ...ctx, cmd, signals: [], rawSignals: [], action: 'print', handlerStart: cmd.end });
    return;
  }
  const nodes = cmd.argNodes;
  const spans = cmd.argSpans;
  const first = args[i]!;
  const firstType = nodes[i]!.type;
  let sigs = spans.map((_, k) => k).slice(i + 1);
  let action: Trap['action'] = 'set';
  let handler: string | undefined = first;
  if (first === '-') {
    action = 'reset';
    handler = undefined;
  } else if (first === '' && firstType !== 'word') {
    action = 'ignore';
    handler = undefined;
  } else if (sigs.length === 0) {
    // `trap SIG`: resets SIG (POSIX: a lone unsigned-integer or signal name).
    action = 'reset';
    handler = undefined;
    sigs = [i];
  }
  // A signal as written: its static text, else its text with the quotes.
  const rawSignals = sigs.map((k) => ({ text: cmd.argStatic[k] ? args[k]! : facts.text.slice(spans[k]!.start, spans[k]!.end), ...spans[k]! }));
  const quoted = firstType === 'raw_string' || firstType === 'string';
  facts.traps.push({
    ...ctx,
    cmd,
    handler,
    handlerStart: spans[i]!.start + (quoted ? 1 : 0),
    signals: rawSignals.map((s) => normaliseSignal(s.text)),
    rawSignals,
    action,
  });
  if (action === 'set') signalBashisms(facts.traps[facts.traps.length - 1]!, facts.bashisms);
}

function readSet(cmd: Cmd, ctx: Context, facts: Facts): void {
  const enable: string[] = [];
  const disable: string[] = [];
  const args = cmd.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '-o' || a === '+o') {
      const opt = args[i + 1];
      if (opt) (a === '-o' ? enable : disable).push(opt);
      i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      const on = a[0] === '-';
      const letters = a.slice(1);
      for (let k = 0; k < letters.length; k++) {
        const l = letters[k]!;
        if (l === 'o') {
          // `-eo pipefail`: the option name is the next argument.
          const opt = args[i + 1];
          if (opt) (on ? enable : disable).push(opt);
          i++;
          continue;
        }
        const long = SET_SHORT[l];
        if (long) (on ? enable : disable).push(long);
      }
    }
  }
  const set = { ...ctx, cmd, enable, disable };
  facts.sets.push(set);
  optionBashisms(set, facts.bashisms);
}

/** `read NAME…` assigns each NAME. */
function readRead(cmd: Cmd, ctx: Context, facts: Facts): void {
  for (let i = 0; i < cmd.args.length; i++) {
    const a = cmd.args[i]!;
    if (!a.startsWith('-') && cmd.argStatic[i] && /^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) {
      const span = cmd.argSpans[i]!;
      facts.assignments.push(bareAssignment(ctx, a, span.start, span.end, 'read'));
    }
  }
}

/** An assignment without a value: `for NAME`, `export NAME`, `read NAME` (a fixed-shape literal: spreading the context is a slow, megamorphic copy). */
export function bareAssignment(ctx: Context, name: string, start: number, end: number, via: string): Assignment {
  return ctx.fn !== undefined
    ? { sub: ctx.sub, loop: ctx.loop, fn: ctx.fn, name, start, end, value: '', fromBang: false, via }
    : { sub: ctx.sub, loop: ctx.loop, name, start, end, value: '', fromBang: false, via };
}
