/**
 * Bash-only syntax, for jobs whose image runs `sh`: one row per construct, with the shells that run
 * it as bash does and where the facts walk finds it.
 */
import type { Bashism, Cmd, SetOption, Trap } from './model.js';
import { SET_SHORT } from './tables.js';
import type { TreeCursor } from '../parser.js';

/**
 * bash; busybox ash (the `sh` of Alpine and busybox images, with its bash-compatible parts built in);
 * dash (the `sh` of Debian images).
 */
export type Shell = 'bash' | 'ash' | 'dash';

export interface Construct {
  what: string;
  /** The shells that run it as bash does. */
  runs: readonly Shell[];
  /** A script that prints `ok` in a shell that runs the construct as bash does, and something else in the others. */
  example: string;
  /** Where the walk finds it. */
  at:
    | { node: string } // a node of that type
    | { node: string; token: string } // a token among the node's children (the token is the range)
    | { node: string; opens: string } // a node whose first child is that token (the node is the range)
    | { variable: string } // an expansion of that variable
    | { option: string } // `set` turning that option on (the argument is the range)
    | { signal: string } // `trap` on that signal (the signal is the range)
    | { command: string }; // a simple command of that name (the name is the range)
}

export const CONSTRUCTS: readonly Construct[] = [
  { what: 'process substitution <( … )', runs: ['bash', 'ash'], example: 'cat <(echo ok)', at: { node: 'process_substitution' } },
  { what: '`|&`', runs: ['bash'], example: '{ echo ok >&2; } |& cat', at: { node: 'pipeline', token: '|&' } },
  { what: '`[[ … ]]`', runs: ['bash', 'ash'], example: '[[ a == a ]] && echo ok', at: { node: 'test_command', opens: '[[' } },
  { what: 'an array', runs: ['bash'], example: 'a=(x ok); echo "${a[1]}"', at: { node: 'array' } },
  { what: 'an array subscript', runs: ['bash'], example: 'a=ok; echo "${a[0]}"', at: { node: 'subscript' } },
  {
    what: '`&>` (dash runs the command in the background)',
    runs: ['bash', 'ash'],
    example: 'echo no &> /dev/null; wait; echo ok',
    at: { node: 'file_redirect', token: '&>' },
  },
  {
    what: '`&>>` (dash runs the command in the background)',
    runs: ['bash'],
    example: 'echo no &>> /dev/null; wait; echo ok',
    at: { node: 'file_redirect', token: '&>>' },
  },
  { what: '`$BASHPID`', runs: ['bash'], example: '[ -n "$BASHPID" ] && echo ok', at: { variable: 'BASHPID' } },
  {
    what: '`set -E` / errtrace',
    runs: ['bash', 'ash'],
    // the ERR trap fires inside the function only with errtrace
    example: "set -E; trap 'echo ok' ERR; f() { false; true; }; f",
    at: { option: 'errtrace' },
  },
  {
    what: '`trap … ERR`',
    runs: ['bash', 'ash'],
    example: "set -e; trap 'echo ok' ERR; false",
    at: { signal: 'ERR' },
  },
  { what: '`set -o pipefail`', runs: ['bash', 'ash'], example: 'set -o pipefail; false | true || echo ok', at: { option: 'pipefail' } },
  { what: '`function NAME {`', runs: ['bash', 'ash'], example: 'function f { echo ok; }; f', at: { node: 'function_definition', opens: 'function' } },
  { what: '`${VAR//PATTERN/STRING}`', runs: ['bash', 'ash'], example: 'x=oX; echo "${x//X/k}"', at: { node: 'expansion', token: '//' } },
  { what: '`${VAR/PATTERN/STRING}`', runs: ['bash', 'ash'], example: 'x=oX; echo "${x/X/k}"', at: { node: 'expansion', token: '/' } },
  { what: 'a here-string `<<<`', runs: ['bash'], example: 'cat <<< ok', at: { node: 'herestring_redirect' } },
  { what: '`declare`', runs: ['bash'], example: 'declare x=ok; echo "$x"', at: { node: 'declaration_command', opens: 'declare' } },
  { what: '`typeset`', runs: ['bash'], example: 'typeset x=ok; echo "$x"', at: { node: 'declaration_command', opens: 'typeset' } },
  { what: '`(( … ))`', runs: ['bash'], example: '(( 1 + 1 )) && echo ok', at: { node: 'compound_statement', opens: '((' } },
  { what: '`select`', runs: ['bash'], example: 'echo 1 | select x in ok; do echo "$x"; break; done 2>/dev/null', at: { node: 'for_statement', opens: 'select' } },
  { what: '`${VAR,,}`', runs: ['bash'], example: 'x=OK; echo "${x,,}"', at: { node: 'expansion', token: ',,' } },
  { what: '`${VAR^^}`', runs: ['bash'], example: 'x=ok; y="${x^^}"; [ "$y" = OK ] && echo ok', at: { node: 'expansion', token: '^^' } },
  { what: '`${!VAR}`', runs: ['bash'], example: 'y=ok; x=y; echo "${!x}"', at: { node: 'expansion', token: '!' } },
  { what: 'brace expansion `{A..B}`', runs: ['bash'], example: 'for i in {1..2}; do :; done; [ "$i" = 2 ] && echo ok', at: { node: 'brace_expression' } },
  { what: '`shopt`', runs: ['bash'], example: 'shopt -s nullglob && echo ok', at: { command: 'shopt' } },
  { what: '`mapfile`', runs: ['bash'], example: 'mapfile -t a < /dev/null && echo ok', at: { command: 'mapfile' } },
  { what: '`readarray`', runs: ['bash'], example: 'readarray -t a < /dev/null && echo ok', at: { command: 'readarray' } },
];

const byNode = new Map<string, Construct[]>();
const byVariable = new Map<string, Construct>();
const byOption = new Map<string, { row: Construct; written: RegExp }>();
const bySignal = new Map<string, Construct>();
const byCommand = new Map<string, Construct>();
for (const row of CONSTRUCTS) {
  const at = row.at;
  if ('node' in at) byNode.set(at.node, [...(byNode.get(at.node) ?? []), row]);
  else if ('variable' in at) byVariable.set(at.variable, row);
  else if ('signal' in at) bySignal.set(at.signal, row);
  else if ('command' in at) byCommand.set(at.command, row);
  else {
    const letter = Object.keys(SET_SHORT).find((l) => SET_SHORT[l] === at.option);
    byOption.set(at.option, { row, written: new RegExp(letter ? `${letter}|${at.option}` : at.option) });
  }
}

/** The node types that may be bash-only. */
export const BASHISM_NODES: ReadonlySet<string> = new Set(byNode.keys());

function found(row: Construct, start: number, end: number): Bashism {
  return { start, end, what: row.what, runs: row.runs };
}

/** The bash-only syntax of the node at the cursor (of type `type`); the cursor is back on it when it returns. */
export function nodeBashisms(cursor: TreeCursor, type: string, out: Bashism[]): void {
  for (const row of byNode.get(type) ?? []) {
    const at = row.at;
    if ('token' in at) {
      if (cursor.gotoFirstChild()) {
        do if (cursor.nodeType === at.token) out.push(found(row, cursor.startIndex, cursor.endIndex));
        while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
    } else if ('opens' in at) {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      if (cursor.gotoFirstChild()) {
        const first = cursor.nodeType;
        cursor.gotoParent();
        if (first === at.opens) out.push(found(row, start, end));
      }
    } else {
      out.push(found(row, cursor.startIndex, cursor.endIndex));
    }
  }
}

/** An expansion of a bash-only variable. */
export function variableBashism(name: string, start: number, end: number, out: Bashism[]): void {
  const row = byVariable.get(name);
  if (row) out.push(found(row, start, end));
}

/** A bash-only option turned on by `set`: at the argument that names it. */
export function optionBashisms(set: SetOption, out: Bashism[]): void {
  for (const [opt, o] of byOption) {
    if (!set.enable.includes(opt)) continue;
    const i = set.cmd.args.findIndex((a) => o.written.test(a));
    const span = set.cmd.argSpans[i];
    if (span) out.push(found(o.row, span.start, span.end));
  }
}

/** A trap on a signal only some shells know (`ERR`): at the signal. */
export function signalBashisms(trap: Trap, out: Bashism[]): void {
  for (const s of trap.rawSignals) {
    const row = bySignal.get(s.text.toUpperCase());
    if (row) out.push(found(row, s.start, s.end));
  }
}

/** A builtin only some shells have (`shopt`, `mapfile`): at its name. */
export function commandBashisms(cmd: Cmd, out: Bashism[]): void {
  const row = cmd.name !== undefined && !cmd.wrappers.length ? byCommand.get(cmd.name) : undefined;
  if (row) out.push(found(row, cmd.start, cmd.start + cmd.rawName.length));
}
