/**
 * The shell facts: what a bash program does that matters for background processes. Every offset in a
 * fact is a character index in the text of the program the facts describe (for a job, its program
 * text: see program.ts). Syntax nodes are there for their type and text; their own offsets count in
 * the text that was parsed, which may be one script item or a trap's handler: read a node's place in
 * the program with `nodeRange`, never from `node.startIndex`.
 */
import type { Construct } from './bashisms.js';

/**
 * A node of the parsed program's syntax tree (tree-sitter-bash's, through web-tree-sitter's `Node`),
 * as the facts hold it: its type, text and neighbours, to read. Declared here, and not as the
 * parser's own type, because the library's published types are read where the parser package is not
 * installed (it is bundled): a rule given to `lint()` gets these.
 */
export interface SyntaxNode {
  /** The grammar's node type: `command`, `word`, `string`, `simple_expansion`, … */
  readonly type: string;
  readonly text: string;
  /** Offsets in the text that was parsed (see above). */
  readonly startIndex: number;
  readonly endIndex: number;
  /** Named in the grammar (not punctuation or a keyword). */
  readonly isNamed: boolean;
  /** Where the parser could not read the text: an ERROR node, a MISSING one, or a node holding either. */
  readonly isError: boolean;
  readonly isMissing: boolean;
  readonly hasError: boolean;
  readonly parent: SyntaxNode | null;
  readonly children: SyntaxNode[];
  readonly namedChildren: SyntaxNode[];
  readonly childCount: number;
  readonly namedChildCount: number;
  child(index: number): SyntaxNode | null;
  namedChild(index: number): SyntaxNode | null;
  readonly firstChild: SyntaxNode | null;
  readonly lastChild: SyntaxNode | null;
  readonly firstNamedChild: SyntaxNode | null;
  readonly lastNamedChild: SyntaxNode | null;
  readonly nextSibling: SyntaxNode | null;
  readonly previousSibling: SyntaxNode | null;
  readonly nextNamedSibling: SyntaxNode | null;
  readonly previousNamedSibling: SyntaxNode | null;
  /** The child in a field of the grammar: `name`, `argument`, `redirect`, `body`, … */
  childForFieldName(name: string): SyntaxNode | null;
  childrenForFieldName(name: string): SyntaxNode[];
  /** The descendants of the given types, in order. */
  descendantsOfType(types: string | string[]): SyntaxNode[];
}

/** The syntax tree the facts' nodes belong to, in the parser's WebAssembly memory. */
export interface SyntaxTree {
  /** Frees the tree; its nodes are not read after. */
  delete(): void;
}

/** A range of program offsets. */
export interface Span {
  start: number;
  end: number;
}

/** Where a node sits: inside which function, a subshell, a loop. */
export interface Context {
  /** Name of the innermost enclosing function definition. */
  fn?: string;
  /** Inside `( … )`, `$( … )`, `<( … )` or a non-last pipeline element: state set there does not reach the shell. */
  sub: boolean;
  loop: boolean;
}

export interface Cmd extends Context, Span {
  node: SyntaxNode;
  /** The command name after wrappers (`sudo`, `nohup`, `env`, …), as static text; undefined when dynamic. */
  name?: string;
  /** The text of the command name as written, e.g. `$COMPOSE`. */
  rawName: string;
  /** Arguments after the name: static text where static, else the text as written. */
  args: string[];
  argNodes: SyntaxNode[];
  /** Where each argument is written. */
  argSpans: Span[];
  /** Whether each argument is static text. */
  argStatic: boolean[];
  /** Wrappers in front of the name, in order: `sudo`, `nohup`, `setsid`, `env`, `exec`, `timeout`, … */
  wrappers: string[];
  /** Options given to the wrappers (e.g. sudo's `-b`, setsid's `-f`). */
  wrapperFlags: string[];
}

export type Stream = 'job' | 'file' | 'null' | 'closed';

export interface Background extends Context, Span {
  node: SyntaxNode;
  /** Offset of the `&`. */
  amp: number;
  /** Simple commands run in the background, in order (the first is the main one). */
  cmds: Cmd[];
  /** Where fd 1 and fd 2 of the background statement go (the job's output pipe or elsewhere). */
  stdout: Stream;
  stderr: Stream;
  /** Variables that receive its PID (`PID=$!`) before the next background statement. */
  pidVars: string[];
}

export interface Trap extends Context {
  cmd: Cmd;
  /** The handler's source text (unquoted), or undefined for `trap - SIG` / `trap -p` / `trap -l`. */
  handler?: string;
  /** Offset of the handler text's first character. */
  handlerStart: number;
  /** Normalised signal names: EXIT, ERR, HUP, INT, QUIT, ABRT, TERM, … */
  signals: string[];
  /** Signals as written, with their offsets. */
  rawSignals: Array<{ text: string } & Span>;
  action: 'set' | 'reset' | 'ignore' | 'print';
}

export interface SetOption extends Context {
  cmd: Cmd;
  enable: string[];
  disable: string[];
}

export interface Func extends Span {
  name: string;
  node: SyntaxNode;
  body: SyntaxNode;
}

export interface Assignment extends Context, Span {
  name: string;
  value: string;
  valueNode?: SyntaxNode;
  /** Assigned from `$!`. */
  fromBang: boolean;
  /** `export`, `declare`, `local`, `readonly`, `read`, `for` or plain. */
  via: string;
}

export interface Expansion extends Context, Span {
  name: string;
}

/** Bash-only syntax (see bashisms.ts). */
export interface Bashism extends Span {
  what: string;
  /** The shells that run it as bash does. */
  runs: Construct['runs'];
}

export type ParseProblem = Span;

/** The kinds of fact that are lists, in program order. */
export interface FactLists {
  cmds: Cmd[];
  backgrounds: Background[];
  traps: Trap[];
  sets: SetOption[];
  assignments: Assignment[];
  expansions: Expansion[];
  /** Bash-only syntax: arrays, `[[`, `<( )`, `|&`, `&>`, `$BASHPID`, … (for POSIX-sh jobs). */
  bashisms: Bashism[];
  /** ERROR and MISSING nodes: where the parser could not read the text. */
  problems: ParseProblem[];
}

export interface Facts extends FactLists {
  text: string;
  /**
   * The tree has no ERROR or MISSING node: the text is complete on its own, so it reads the same
   * followed by other statements (no open quote, heredoc, `\` continuation, `|`, `&&` or compound).
   */
  clean: boolean;
  /** The syntax tree the nodes belong to; free it with `tree.delete()` when the facts are dropped. */
  tree?: SyntaxTree;
  /** Function definitions by name: the first definition of a name. */
  funcs: Map<string, Func>;
}

/** Moves facts `delta` characters later; `cmd` moves a command, to the same object for every fact that holds it. */
export interface Mover {
  delta: number;
  cmd(c: Cmd): Cmd;
}

/**
 * How each kind of fact is moved into the text of a longer program (see compose.ts). A new kind of
 * fact is a field of `FactLists`, its row here, and the place in the walk (walk.ts) that finds it.
 */
export const MOVERS: { [K in keyof FactLists]: (x: FactLists[K][number], m: Mover) => FactLists[K][number] } = {
  cmds: (c, m) => m.cmd(c),
  // `pidVars` are linked again over the whole program (compose.ts): `PID=$!` may be in a later item.
  backgrounds: (b, m) => ({ ...shift(b, m.delta), amp: b.amp + m.delta, cmds: b.cmds.map((c) => m.cmd(c)), pidVars: [] }),
  traps: (t, m) => ({
    ...t,
    cmd: m.cmd(t.cmd),
    handlerStart: t.handlerStart + m.delta,
    rawSignals: t.rawSignals.map((s) => shift(s, m.delta)),
  }),
  sets: (s, m) => ({ ...s, cmd: m.cmd(s.cmd) }),
  assignments: (a, m) => shift(a, m.delta),
  expansions: (e, m) => shift(e, m.delta),
  bashisms: (b, m) => shift(b, m.delta),
  problems: (p, m) => shift(p, m.delta),
};

/** The kinds of fact that are lists. */
export const LIST_KINDS = Object.keys(MOVERS) as Array<keyof FactLists>;

/** Empty lists of every kind. */
export function emptyLists(): FactLists {
  return Object.fromEntries(LIST_KINDS.map((k) => [k, []])) as unknown as FactLists;
}

/** A copy of `x` at offsets `delta` characters later. */
export function shift<T extends Span>(x: T, delta: number): T {
  return { ...x, start: x.start + delta, end: x.end + delta };
}
