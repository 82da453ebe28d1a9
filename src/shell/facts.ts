/**
 * Shell facts: what a bash program does that matters for background processes, read from the
 * tree-sitter-bash syntax tree (never from the text by pattern): background statements, traps,
 * `set` options, simple commands, functions, assignments and expansions, each with its offsets.
 */
import { parseBash, type Node, type Tree, type TreeCursor } from './parser.js';

/** Where a node sits: inside which function, a subshell, a loop. */
export interface Context {
  /** Name of the innermost enclosing function definition. */
  fn?: string;
  /** Inside `( … )`, `$( … )`, `<( … )` or a non-last pipeline element: state set there does not reach the shell. */
  sub: boolean;
  loop: boolean;
}

export interface Cmd extends Context {
  node: Node;
  start: number;
  end: number;
  /** The command name after wrappers (`sudo`, `nohup`, `env`, …), as static text; undefined when dynamic. */
  name?: string;
  /** The text of the command name as written, e.g. `$COMPOSE`. */
  rawName: string;
  /** Arguments after the name: static text where static, else the text as written. */
  args: string[];
  argNodes: Node[];
  /** Whether each argument is static text. */
  argStatic: boolean[];
  /** Wrappers in front of the name, in order: `sudo`, `nohup`, `setsid`, `env`, `exec`, `timeout`, … */
  wrappers: string[];
  /** Options given to the wrappers (e.g. sudo's `-b`, setsid's `-f`). */
  wrapperFlags: string[];
}

export type Stream = 'job' | 'file' | 'null' | 'closed';

export interface Background extends Context {
  node: Node;
  start: number;
  end: number;
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
  /** Program offset of the handler text's first character. */
  handlerStart: number;
  /** Normalised signal names: EXIT, ERR, HUP, INT, QUIT, ABRT, TERM, … */
  signals: string[];
  /** Signals as written, with their offsets. */
  rawSignals: Array<{ text: string; start: number; end: number }>;
  action: 'set' | 'reset' | 'ignore' | 'print';
}

export interface SetOption extends Context {
  cmd: Cmd;
  enable: string[];
  disable: string[];
}

export interface Func {
  name: string;
  node: Node;
  start: number;
  end: number;
  body: Node;
}

export interface Assignment extends Context {
  name: string;
  start: number;
  end: number;
  value: string;
  valueNode?: Node;
  /** Assigned from `$!`. */
  fromBang: boolean;
  /** `export`, `declare`, `local`, `readonly`, `read`, `for` or plain. */
  via: string;
}

export interface Expansion extends Context {
  name: string;
  start: number;
  end: number;
}

export interface ParseProblem {
  start: number;
  end: number;
}

export interface Facts {
  text: string;
  /**
   * The tree has no ERROR or MISSING node: the text is complete on its own, so it reads the same
   * followed by other statements (no open quote, heredoc, `\` continuation, `|`, `&&` or compound).
   */
  clean: boolean;
  /** The syntax tree the nodes belong to; free it with `tree.delete()` when the facts are dropped. */
  tree?: Tree;
  cmds: Cmd[];
  backgrounds: Background[];
  traps: Trap[];
  sets: SetOption[];
  funcs: Map<string, Func>;
  assignments: Assignment[];
  expansions: Expansion[];
  /** Bash-only syntax: arrays, `[[`, `<( )`, `|&`, `&>`, `$BASHPID`, … (for POSIX-sh jobs). */
  bashisms: Array<{ start: number; end: number; what: string }>;
  problems: ParseProblem[];
}

const SIGNAL_NUMBERS: Record<string, string> = {
  '0': 'EXIT', '1': 'HUP', '2': 'INT', '3': 'QUIT', '4': 'ILL', '5': 'TRAP', '6': 'ABRT', '7': 'BUS', '8': 'FPE',
  '9': 'KILL', '10': 'USR1', '11': 'SEGV', '12': 'USR2', '13': 'PIPE', '14': 'ALRM', '15': 'TERM',
};

export function normaliseSignal(s: string): string {
  const n = SIGNAL_NUMBERS[s];
  if (n) return n;
  const up = s.toUpperCase();
  return up.startsWith('SIG') ? up.slice(3) : up;
}

const SET_SHORT: Record<string, string> = {
  e: 'errexit', E: 'errtrace', u: 'nounset', x: 'xtrace', m: 'monitor', T: 'functrace', f: 'noglob', C: 'noclobber',
};

/** Wrappers that run another command, with the options that take a value. */
const WRAPPERS: Record<string, Set<string>> = {
  sudo: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '-R']),
  nohup: new Set(),
  setsid: new Set(),
  env: new Set(['-u', '-C', '-S']),
  exec: new Set(['-a']),
  timeout: new Set(['-s', '-k', '--signal', '--kill-after']),
  nice: new Set(['-n']),
  ionice: new Set(['-c', '-n', '-p']),
  stdbuf: new Set(['-i', '-o', '-e']),
  chrt: new Set(),
  taskset: new Set(),
  time: new Set(),
  command: new Set(),
  builtin: new Set(),
  doas: new Set(['-u', '-C']),
};

/** The static text of a word, string or concatenation, or undefined when it expands something. */
export function staticText(node: Node): string | undefined {
  switch (node.type) {
    case 'word':
    case 'number':
      return node.text.replace(/\\(.)/g, '$1');
    case 'raw_string':
      return node.text.slice(1, -1);
    case 'string': {
      let out = '';
      for (const c of node.namedChildren) {
        if (!c) continue;
        if (c.type !== 'string_content') return undefined;
        out += c.text;
      }
      return out;
    }
    case 'ansi_c_string':
      return undefined;
    case 'concatenation': {
      let out = '';
      for (const c of node.namedChildren) {
        if (!c) continue;
        const t = staticText(c);
        if (t === undefined) return undefined;
        out += t;
      }
      return out;
    }
    case 'command_name':
      return node.firstNamedChild ? staticText(node.firstNamedChild) : undefined;
    default:
      return undefined;
  }
}

/** Unquoted source text of an argument for reading: static text, or the raw text inside quotes. */
function argText(node: Node): string {
  const s = staticText(node);
  if (s !== undefined) return s;
  if (node.type === 'string') return node.text.slice(1, -1);
  return node.text;
}

function basename(name: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 ? name.slice(i + 1) : name;
}

const STATEMENT_LISTS = new Set([
  'program', 'compound_statement', 'do_group', 'subshell', 'if_statement', 'elif_clause', 'else_clause',
  'case_item', 'command_substitution', 'process_substitution',
]);

export function extractFacts(text: string): Facts {
  const tree = parseBash(text);
  const clean = !tree.rootNode.hasError;
  const facts: Facts = {
    text,
    clean,
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
  // The tree stays alive as long as the facts: their nodes read their text from it.
  facts.tree = tree;
  typesOf(tree);
  // A cursor walks the tree without making a JS object per node; nodes are made only for what the facts keep.
  const cursor = tree.walk();
  try {
    visit(cursor, cursor.nodeTypeId, { sub: false, loop: false }, facts, clean, tree.rootNode);
  } finally {
    cursor.delete();
  }
  facts.backgrounds.sort((a, b) => a.start - b.start);
  linkPidVars(facts.backgrounds, facts.assignments);
  return facts;
}

/** PID captures: `PID=$!` after a background statement and before the next one. */
export function linkPidVars(backgrounds: Background[], assignments: Assignment[]): void {
  const bangs = assignments.filter((a) => a.fromBang).sort((a, b) => a.start - b.start);
  for (const a of bangs) {
    let owner: Background | undefined;
    for (const b of backgrounds) if (b.amp < a.start && (!owner || b.amp > owner.amp)) owner = b;
    if (owner) owner.pidVars.push(a.name);
  }
}

/** Node types that never have named children (tree-sitter-bash's node-types.json). */
const LEAF_TYPES = new Set([
  'word', 'comment', 'raw_string', 'string_content', 'variable_name', 'special_variable_name', 'ansi_c_string',
  'file_descriptor', 'heredoc_start', 'heredoc_end', 'heredoc_content', 'test_operator', 'regex', 'extglob_pattern',
]);

const SKIP = 1;
const NAMED = 2;
/** The type id of ERROR nodes. */
const ERROR_ID = 65535;

interface TypeTable {
  types: string[];
  /** Per type id: NAMED when the type is named, SKIP when a node of it (in a tree without errors) yields no facts. */
  flags: Uint8Array;
}

let typeTable: TypeTable | undefined;

function typesOf(tree: Tree): TypeTable {
  const language = tree.language;
  if (typeTable && typeTable.types === language.types) return typeTable;
  const types = language.types;
  const flags = new Uint8Array(types.length);
  for (let id = 0; id < types.length; id++) {
    const named = language.nodeTypeIsNamed(id);
    // Anonymous nodes are tokens: their parent reads them (`&`, `|&`, `&>`, `[[`).
    flags[id] = (named ? NAMED : 0) | (!named || LEAF_TYPES.has(types[id]!) ? SKIP : 0);
  }
  typeTable = { types, flags };
  return typeTable;
}

/**
 * Visits the cursor's node (of type `id`) and its subtree; the cursor is back on that node when it returns.
 * `clean`: the tree has no ERROR or MISSING node.
 */
function visit(cursor: TreeCursor, id: number, ctx: Context, facts: Facts, clean: boolean, root: Node): void {
  const table = typeTable!;
  if (clean && (table.flags[id]! & SKIP) !== 0) return;
  const type = table.types[id] || 'ERROR';
  if (clean) {
    // nothing to report
  } else if (type === 'ERROR') {
    const start = cursor.startIndex;
    facts.problems.push({ start, end: Math.max(cursor.endIndex, start + 1) });
  } else if (cursor.nodeIsMissing) {
    const start = cursor.startIndex;
    facts.problems.push({ start, end: Math.max(cursor.endIndex, start + 1) });
    return;
  }
  switch (type) {
    case 'function_definition': {
      const node = cursor.currentNode;
      const nameNode = node.childForFieldName('name');
      const body = node.childForFieldName('body');
      if (nameNode && body) {
        const name = nameNode.text;
        if (!facts.funcs.has(name)) {
          facts.funcs.set(name, { name, node, start: node.startIndex, end: node.endIndex, body });
        }
        const inner = body.walk();
        try {
          visit(inner, inner.nodeTypeId, { ...ctx, fn: name }, facts, clean, body);
        } finally {
          inner.delete();
        }
      }
      return;
    }
    case 'subshell':
    case 'command_substitution':
    case 'process_substitution':
      if (type === 'process_substitution') {
        facts.bashisms.push({ start: cursor.startIndex, end: cursor.endIndex, what: 'process substitution <( … )' });
      }
      ctx = { ...ctx, sub: true };
      break;
    case 'pipeline': {
      // Every element but the last runs in a subshell; only named children are walked.
      let named = 0;
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.nodeIsNamed) named++;
          else if (cursor.nodeType === '|&') facts.bashisms.push({ start: cursor.startIndex, end: cursor.endIndex, what: '`|&`' });
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      if (named > 0 && cursor.gotoFirstChild()) {
        const subCtx = { ...ctx, sub: true };
        let i = 0;
        do {
          if (!cursor.nodeIsNamed) continue;
          visit(cursor, cursor.nodeTypeId, i === named - 1 ? ctx : subCtx, facts, clean, root);
          i++;
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      return;
    }
    case 'for_statement':
    case 'c_style_for_statement':
    case 'while_statement': {
      if (type === 'for_statement') {
        const v = cursor.currentNode.childForFieldName('variable');
        if (v) facts.assignments.push(bareAssignment(ctx, v.text, v.startIndex, v.endIndex, 'for'));
      }
      ctx = { ...ctx, loop: true };
      break;
    }
    case 'test_command': {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      if (cursor.gotoFirstChild()) {
        const first = cursor.nodeType;
        cursor.gotoParent();
        if (first === '[[') facts.bashisms.push({ start, end, what: '`[[ … ]]`' });
      }
      break;
    }
    case 'array':
      facts.bashisms.push({ start: cursor.startIndex, end: cursor.endIndex, what: 'an array' });
      break;
    case 'subscript':
      facts.bashisms.push({ start: cursor.startIndex, end: cursor.endIndex, what: 'an array subscript' });
      break;
    case 'file_redirect':
      if (cursor.gotoFirstChild()) {
        do {
          const t = cursor.nodeType;
          if (t === '&>' || t === '&>>') {
            facts.bashisms.push({ start: cursor.startIndex, end: cursor.endIndex, what: `\`${t}\` (in sh it runs the command in the background)` });
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      break;
    case 'variable_assignment': {
      const node = cursor.currentNode;
      const nameNode = node.childForFieldName('name');
      const value = node.childForFieldName('value');
      if (nameNode) {
        const decl = node.parent?.type === 'declaration_command' ? node.parent.firstChild?.text ?? 'declare' : 'plain';
        facts.assignments.push({
          ...ctx,
          name: nameNode.type === 'subscript' ? (nameNode.firstNamedChild?.text ?? nameNode.text) : nameNode.text,
          start: node.startIndex,
          end: node.endIndex,
          value: value ? argText(value) : '',
          valueNode: value ?? undefined,
          fromBang: !!value && isBang(value),
          via: decl,
        });
      }
      break;
    }
    case 'declaration_command': {
      // `export NAME` / `local NAME` without a value still defines the name.
      if (cursor.gotoFirstChild()) {
        const via = facts.text.slice(cursor.startIndex, cursor.endIndex);
        do {
          if (cursor.nodeType === 'variable_name') {
            const start = cursor.startIndex;
            const end = cursor.endIndex;
            facts.assignments.push(bareAssignment(ctx, facts.text.slice(start, end), start, end, via));
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      break;
    }
    case 'simple_expansion':
    case 'expansion': {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      let name: string | undefined;
      let subName: string | undefined;
      // Whether a child may hold facts (`${X:-$(cmd)}`); in a clean tree `$X` holds none.
      let deep = !clean;
      if (cursor.gotoFirstChild()) {
        do {
          const id = cursor.nodeTypeId;
          const flags = table.flags[id]!;
          if ((flags & SKIP) === 0) deep = true;
          if (id !== ERROR_ID && (flags & NAMED) === 0) continue;
          if (name !== undefined) continue;
          const t = table.types[id] || 'ERROR';
          if (t === 'variable_name' || t === 'special_variable_name') {
            name = facts.text.slice(cursor.startIndex, cursor.endIndex);
            continue;
          }
          if (t === 'subscript' && subName === undefined) {
            subName = '';
            if (cursor.gotoFirstChild()) {
              do {
                if (cursor.nodeIsNamed && cursor.nodeType === 'variable_name') {
                  subName = facts.text.slice(cursor.startIndex, cursor.endIndex);
                  break;
                }
              } while (cursor.gotoNextSibling());
              cursor.gotoParent();
            }
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      if (name !== undefined) facts.expansions.push(expansionFact(ctx, name, start, end));
      else if (subName) facts.expansions.push(expansionFact(ctx, subName, start, end));
      if (name === 'BASHPID') facts.bashisms.push({ start, end, what: '`$BASHPID`' });
      if (!deep) return;
      break;
    }
    case 'command': {
      // Which children to visit (their type ids), or -1: read once while the command is read.
      const plan: number[] = [];
      const cmd = readCommand(cursor, root, ctx, facts.text, clean, plan);
      facts.cmds.push(cmd);
      if (cmd.name === 'trap') readTrap(cmd, ctx, facts);
      else if (cmd.name === 'set') readSet(cmd, ctx, facts);
      else if (cmd.name === 'read') {
        for (let i = 0; i < cmd.args.length; i++) {
          const a = cmd.args[i]!;
          if (!a.startsWith('-') && cmd.argStatic[i] && /^[A-Za-z_][A-Za-z0-9_]*$/.test(a)) {
            const n = cmd.argNodes[i]!;
            facts.assignments.push(bareAssignment(ctx, a, n.startIndex, n.endIndex, 'read'));
          }
        }
      }
      if (plan.some((id) => id >= 0) && cursor.gotoFirstChild()) {
        for (let k = 0; k < plan.length; k++) {
          if (plan[k]! >= 0) visit(cursor, plan[k]!, ctx, facts, clean, root);
          if (!cursor.gotoNextSibling()) break;
        }
        cursor.gotoParent();
      }
      return;
    }
    default:
      break;
  }
  if (!cursor.gotoFirstChild()) return;
  if (!STATEMENT_LISTS.has(type)) {
    do visit(cursor, cursor.nodeTypeId, ctx, facts, clean, root);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
    return;
  }
  // A statement list: a named child followed by `&` is a background statement.
  let candidate = false;
  do {
    const childId = cursor.nodeTypeId;
    const childType = table.types[childId] || 'ERROR';
    const named = childId === ERROR_ID || (table.flags[childId]! & NAMED) !== 0;
    if (childType === '&' && candidate) {
      const amp = cursor.currentNode;
      facts.backgrounds.push(background(amp.previousSibling!, amp.startIndex, ctx, facts));
    }
    candidate = named && childType !== 'comment' && childType !== 'heredoc_body';
    visit(cursor, childId, ctx, facts, clean, root);
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

/** An expansion fact (a fixed-shape literal: spreading the context is a slow, megamorphic copy). */
function expansionFact(ctx: Context, name: string, start: number, end: number): Expansion {
  return ctx.fn !== undefined ? { sub: ctx.sub, loop: ctx.loop, fn: ctx.fn, name, start, end } : { sub: ctx.sub, loop: ctx.loop, name, start, end };
}

/** An assignment without a value: `for NAME`, `export NAME`, `read NAME`. */
function bareAssignment(ctx: Context, name: string, start: number, end: number, via: string): Assignment {
  return ctx.fn !== undefined
    ? { sub: ctx.sub, loop: ctx.loop, fn: ctx.fn, name, start, end, value: '', fromBang: false, via }
    : { sub: ctx.sub, loop: ctx.loop, name, start, end, value: '', fromBang: false, via };
}

function isBang(node: Node): boolean {
  if (node.type === 'simple_expansion' || node.type === 'expansion') {
    return node.namedChildren.some((c) => c && c.type === 'special_variable_name' && c.text === '!');
  }
  if (node.type === 'string' || node.type === 'concatenation') {
    const kids = node.namedChildren.filter((c): c is Node => !!c);
    return kids.length === 1 && isBang(kids[0]!);
  }
  return false;
}

/** A background statement: `c` followed by a `&` at offset `amp`. */
function background(c: Node, amp: number, ctx: Context, facts: Facts): Background {
  const bg: Background = {
    ...ctx,
    node: c,
    start: c.startIndex,
    end: c.endIndex,
    amp,
    cmds: [],
    stdout: 'job',
    stderr: 'job',
    pidVars: [],
  };
  collectCommands(c, bg.cmds, ctx, facts.text);
  const streams = outputStreams(c);
  bg.stdout = streams.stdout;
  bg.stderr = streams.stderr;
  return bg;
}

/** The simple commands a statement runs, in order, without descending into functions. */
function collectCommands(node: Node, out: Cmd[], ctx: Context, text: string): void {
  const cursor = node.walk();
  try {
    collectAt(cursor, out, ctx, text, node);
  } finally {
    cursor.delete();
  }
}

function collectAt(cursor: TreeCursor, out: Cmd[], ctx: Context, text: string, root: Node): void {
  const type = cursor.nodeType;
  if (type === 'command') {
    out.push(readCommand(cursor, root, ctx, text));
    return;
  }
  if (type === 'function_definition') return;
  if (cursor.gotoFirstChild()) {
    do if (cursor.nodeIsNamed) collectAt(cursor, out, ctx, text, root);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
}

/** Follows a statement's redirections, in order, to see where its stdout and stderr end up. */
export function outputStreams(
  stmt: Node,
  outer: Record<string, Stream> = { '1': 'job', '2': 'job' },
): { stdout: Stream; stderr: Stream } {
  const fds: Record<string, Stream> = { ...outer };
  let body = stmt;
  if (stmt.type === 'redirected_statement') {
    for (const r of stmt.childrenForFieldName('redirect')) if (r) applyRedirect(r, fds);
    body = stmt.childForFieldName('body') ?? stmt;
  }
  if (body.type === 'pipeline') {
    // The last element writes the pipeline's stdout; every element writes its own stderr.
    const elements = body.namedChildren.filter((c): c is Node => !!c);
    const streams = elements.map((el) => outputStreams(el, fds));
    const last = streams[streams.length - 1] ?? { stdout: fds['1']!, stderr: fds['2']! };
    return { stdout: last.stdout, stderr: streams.some((s) => s.stderr === 'job') ? 'job' : last.stderr };
  }
  return { stdout: fds['1']!, stderr: fds['2']! };
}

function applyRedirect(r: Node, fds: Record<string, Stream>): void {
  if (r.type !== 'file_redirect') return;
  let op = '';
  let fd: string | undefined;
  for (const c of r.children) {
    if (!c) continue;
    if (c.type === 'file_descriptor') fd = c.text;
    else if (!c.isNamed) op = c.type;
  }
  const dest = r.childForFieldName('destination');
  const destText = dest ? staticText(dest) ?? dest.text : '';
  const target: Stream = destText === '/dev/null' ? 'null' : 'file';
  switch (op) {
    case '>':
    case '>>':
    case '>|':
      fds[fd ?? '1'] = target;
      break;
    case '&>':
    case '&>>':
      fds['1'] = target;
      fds['2'] = target;
      break;
    case '>&':
    case '<&': {
      const from = fd ?? '1';
      if (destText === '-') fds[from] = 'closed';
      else if (/^\d+$/.test(destText)) fds[from] = fds[destText] ?? 'file';
      else if (op === '>&' && fd === undefined) {
        // `>& file`: both streams to a file (csh style, accepted by bash)
        fds['1'] = target;
        fds['2'] = target;
      }
      break;
    }
    case '>&-':
    case '<&-':
      fds[fd ?? '1'] = 'closed';
      break;
    default:
      break;
  }
}

/** The static text of the cursor's node (as `staticText` of that node), read from the program text. */
function staticAt(cursor: TreeCursor, text: string): string | undefined {
  switch (cursor.nodeType) {
    case 'word':
    case 'number': {
      const t = text.slice(cursor.startIndex, cursor.endIndex);
      return t.includes('\\') ? t.replace(/\\(.)/g, '$1') : t;
    }
    case 'raw_string':
      return text.slice(cursor.startIndex, cursor.endIndex).slice(1, -1);
    case 'string': {
      let out = '';
      if (cursor.gotoFirstChild()) {
        let ok = true;
        do {
          if (!cursor.nodeIsNamed) continue;
          const t: string = cursor.nodeType;
          if (t !== 'string_content') {
            ok = false;
            break;
          }
          out += text.slice(cursor.startIndex, cursor.endIndex);
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
        if (!ok) return undefined;
      }
      return out;
    }
    case 'concatenation': {
      let out: string | undefined = '';
      if (cursor.gotoFirstChild()) {
        do {
          if (!cursor.nodeIsNamed) continue;
          const t = staticAt(cursor, text);
          if (t === undefined) {
            out = undefined;
            break;
          }
          out += t;
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      return out;
    }
    case 'command_name': {
      let out: string | undefined;
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.nodeIsNamed) {
            out = staticAt(cursor, text);
            break;
          }
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      return out;
    }
    default:
      return undefined;
  }
}

interface Arg {
  /** Static text, or undefined when it expands something. */
  value: string | undefined;
  /** Text as written. */
  raw: string;
  type: string;
}

let fieldIds: { name: number; argument: number } | undefined;

/** Reads the simple command at the cursor (a `command` node); the cursor is back on it when it returns. */
/** `staticAt` for a node whose type and offsets are known: words and raw strings need no call into the tree. */
function staticOf(cursor: TreeCursor, text: string, type: string, start: number, end: number): string | undefined {
  switch (type) {
    case 'word':
    case 'number': {
      const t = text.slice(start, end);
      return t.includes('\\') ? t.replace(/\\(.)/g, '$1') : t;
    }
    case 'raw_string':
      return text.slice(start, end).slice(1, -1);
    case 'string':
    case 'concatenation':
    case 'command_name':
      return staticAt(cursor, text);
    default:
      return undefined;
  }
}

/** Whether source text can hold an expansion or a substitution (see readCommand). */
function mayHoldFacts(raw: string): boolean {
  return raw.includes('$') || raw.includes('`') || raw.includes('<(') || raw.includes('>(');
}

/**
 * Reads the simple command at the cursor (a `command` node); the cursor is back on it when it returns.
 * `plan` receives, per child, its type id when the facts walk must visit it, else -1 (`clean`: the tree has
 * no error, so tokens and leaves hold nothing).
 */
function readCommand(cursor: TreeCursor, root: Node, ctx: Context, text: string, clean = false, plan?: number[]): Cmd {
  const table = typeTable!;
  // The node itself is made when first asked for: where it is in the tree is enough until then.
  const index = cursor.currentDescendantIndex;
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  if (!fieldIds) {
    const lang = root.tree.language;
    fieldIds = { name: lang.fieldIdForName('name') ?? -1, argument: lang.fieldIdForName('argument') ?? -1 };
  }
  let rawName = '';
  let name: string | undefined;
  let haveName = false;
  let rest: Arg[] = [];
  if (cursor.gotoFirstChild()) {
    do {
      const id = cursor.nodeTypeId;
      const type = table.types[id] || 'ERROR';
      const field = cursor.currentFieldId;
      let visit = !clean || (table.flags[id]! & SKIP) === 0;
      if (field === fieldIds.name && !haveName) {
        haveName = true;
        rawName = text.slice(cursor.startIndex, cursor.endIndex);
        if (type === 'command_name') {
          // Its first named child is the name; it needs a visit only when a child is more than a word.
          let first = true;
          let deep = !clean;
          if (cursor.gotoFirstChild()) {
            do {
              const cid = cursor.nodeTypeId;
              if ((table.flags[cid]! & SKIP) === 0) deep = true;
              if (first && (cid === ERROR_ID || (table.flags[cid]! & NAMED) !== 0)) {
                first = false;
                name = staticOf(cursor, text, table.types[cid] || 'ERROR', cursor.startIndex, cursor.endIndex);
              }
            } while (cursor.gotoNextSibling());
            cursor.gotoParent();
          }
          visit = deep;
        } else {
          name = staticOf(cursor, text, type, cursor.startIndex, cursor.endIndex);
        }
      } else if (field === fieldIds.argument) {
        const s = cursor.startIndex;
        const e = cursor.endIndex;
        const raw = text.slice(s, e);
        rest.push({ value: staticOf(cursor, text, type, s, e), raw, type });
        // In a tree without errors, every fact inside an argument is an expansion, a command or process
        // substitution, all of which start with `$`, a backquote, `<(` or `>(`: without those, nothing to visit.
        if (visit && clean && !mayHoldFacts(raw)) visit = false;
      }
      plan?.push(visit ? id : -1);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  const wrappers: string[] = [];
  const wrapperFlags: string[] = [];
  // Peel wrappers: `sudo -E nohup setsid env X=1 cmd …`.
  while (name !== undefined && WRAPPERS[basename(name)]) {
    const w = basename(name);
    const valued = WRAPPERS[w]!;
    let i = 0;
    while (i < rest.length) {
      const t = rest[i]!.value ?? rest[i]!.raw;
      if (w === 'env' && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
        i++;
        continue;
      }
      if ((w === 'timeout' || w === 'nice' || w === 'chrt') && i === 0 && /^-?[\d.]+[smhd]?$/.test(t)) {
        i++;
        continue;
      }
      if (w === 'taskset' && i === 0 && !t.startsWith('-')) {
        i++;
        continue;
      }
      if (!t.startsWith('-') || t === '-') break;
      wrapperFlags.push(t);
      i++;
      if (t === '--') break;
      if (valued.has(t)) i++;
    }
    if (w === 'timeout' && i < rest.length && /^[\d.]+[smhd]?$/.test(rest[i]!.value ?? '')) i++;
    if (i >= rest.length) break;
    wrappers.push(w);
    const n = rest[i]!;
    name = n.value;
    rest = rest.slice(i + 1);
    if (name === undefined) {
      return finish(n.raw);
    }
  }
  return finish(undefined);

  function finish(dynamicName: string | undefined): Cmd {
    const cmdName = dynamicName !== undefined ? undefined : name !== undefined ? name : undefined;
    const cmdRaw = dynamicName ?? (wrappers.length ? (name ?? rawName) : rawName);
    const args = rest.map((a) => a.value ?? (a.type === 'string' ? a.raw.slice(1, -1) : a.raw));
    const argStatic = rest.map((a) => a.value !== undefined);
    return new SimpleCommand(ctx, root, index, start, end, cmdName, cmdRaw, args, rest.length, argStatic, wrappers, wrapperFlags);
  }
}

/**
 * A simple command. Its argument nodes are made when first asked for (few commands need them);
 * the syntax tree is alive as long as the facts are.
 */
class SimpleCommand implements Cmd {
  declare fn?: string;
  declare sub: boolean;
  declare loop: boolean;
  declare start: number;
  declare end: number;
  declare name?: string;
  declare rawName: string;
  declare args: string[];
  declare argStatic: boolean[];
  declare wrappers: string[];
  declare wrapperFlags: string[];
  #count: number;
  #nodes: Node[] | undefined;
  /** The node the walk started from, and this command's index among its descendants (pre-order). */
  #root: Node;
  #index: number;
  #node: Node | undefined;
  /** The command this one was moved from (see `moved`): its nodes are found once for every copy. */
  #origin: SimpleCommand | undefined;

  constructor(
    ctx: Context, root: Node, index: number, start: number, end: number, name: string | undefined, rawName: string,
    args: string[], count: number, argStatic: boolean[], wrappers: string[], wrapperFlags: string[],
  ) {
    this.sub = ctx.sub;
    this.loop = ctx.loop;
    if (ctx.fn !== undefined) this.fn = ctx.fn;
    this.#root = root;
    this.#index = index;
    this.start = start;
    this.end = end;
    this.name = name;
    this.rawName = rawName;
    this.args = args;
    this.argStatic = argStatic;
    this.wrappers = wrappers;
    this.wrapperFlags = wrapperFlags;
    this.#count = count;
  }

  get node(): Node {
    if (this.#origin) return this.#origin.node;
    if (!this.#node) {
      const cursor = this.#root.walk();
      try {
        cursor.gotoDescendant(this.#index);
        this.#node = cursor.currentNode;
      } finally {
        cursor.delete();
      }
    }
    return this.#node;
  }

  get argNodes(): Node[] {
    if (this.#origin) return this.#origin.argNodes;
    return (this.#nodes ??= argumentNodes(this.node, this.#count));
  }

  /** The same command in a text where its own text starts `delta` characters later. */
  moved(delta: number): SimpleCommand {
    const m = new SimpleCommand(
      this, this.#root, this.#index, this.start + delta, this.end + delta, this.name, this.rawName,
      this.args, this.#count, this.argStatic, this.wrappers, this.wrapperFlags,
    );
    m.#origin = this.#origin ?? this;
    return m;
  }
}

/** A command's offsets in a text where its own text starts `delta` characters later. */
export function moveCmd(cmd: Cmd, delta: number): Cmd {
  if (cmd instanceof SimpleCommand) return cmd.moved(delta);
  return { ...cmd, start: cmd.start + delta, end: cmd.end + delta };
}

/**
 * The offsets of a node of `cmd`'s syntax tree in the text `cmd`'s offsets are in (they differ when the
 * command was parsed as part of one script item and moved into its program).
 */
export function nodeRange(cmd: Cmd, node: Node): { start: number; end: number } {
  const delta = cmd.start - cmd.node.startIndex;
  return { start: node.startIndex + delta, end: node.endIndex + delta };
}

/** The last `count` argument nodes of a command (those after its wrappers). */
function argumentNodes(node: Node, count: number): Node[] {
  const all = node.childrenForFieldName('argument').filter((a): a is Node => !!a);
  return all.slice(all.length - count);
}

function readTrap(cmd: Cmd, ctx: Context, facts: Facts): void {
  const args = cmd.args;
  const nodes = cmd.argNodes;
  let i = 0;
  if (args[0] === '--') i++;
  if (args[i] === '-l' || args[i] === '-p' || args.length === 0) {
    facts.traps.push({ ...ctx, cmd, signals: [], rawSignals: [], action: 'print', handlerStart: cmd.end });
    return;
  }
  const first = args[i]!;
  const firstNode = nodes[i]!;
  const sigNodes = nodes.slice(i + 1);
  let action: Trap['action'] = 'set';
  let handler: string | undefined = first;
  if (first === '-') {
    action = 'reset';
    handler = undefined;
  } else if (first === '' && nodes[i]!.type !== 'word') {
    action = 'ignore';
    handler = undefined;
  } else if (sigNodes.length === 0) {
    // `trap SIG`: resets SIG (POSIX: a lone unsigned-integer or signal name).
    action = 'reset';
    handler = undefined;
    sigNodes.push(firstNode);
  }
  const rawSignals = sigNodes.map((n) => ({ text: staticText(n) ?? n.text, start: n.startIndex, end: n.endIndex }));
  const quoted = firstNode.type === 'raw_string' || firstNode.type === 'string';
  facts.traps.push({
    ...ctx,
    cmd,
    handler,
    handlerStart: firstNode.startIndex + (quoted ? 1 : 0),
    signals: rawSignals.map((s) => normaliseSignal(s.text)),
    rawSignals,
    action,
  });
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
  facts.sets.push({ ...ctx, cmd, enable, disable });
  if (enable.includes('errtrace')) {
    const at = cmd.argNodes.find((n) => /E|errtrace/.test(n.text));
    if (at) facts.bashisms.push({ start: at.startIndex, end: at.endIndex, what: '`set -E` / errtrace' });
  }
}
