/**
 * The facts walk: reads a bash program's facts from the tree-sitter-bash syntax tree (never from the
 * text by pattern), with a cursor, making a node object only for what the facts keep.
 */
import { parseBash, type Node, type TreeCursor } from '../parser.js';
import { BASHISM_NODES, nodeBashisms, variableBashism } from './bashisms.js';
import { bareAssignment, readBuiltin } from './builtins.js';
import { readCommand } from './command.js';
import { emptyLists, type Assignment, type Background, type Cmd, type Context, type Expansion, type Facts } from './model.js';
import { outputStreams } from './streams.js';
import { wordText } from './text.js';
import { ERROR_ID, NAMED, SKIP, STATEMENT_LISTS, typeName, typeTable, type TypeTable } from './tree.js';

/** What one walk reads with. */
interface Walk {
  facts: Facts;
  /** The tree has no ERROR or MISSING node. */
  clean: boolean;
  table: TypeTable;
}

export function extractFacts(text: string): Facts {
  const tree = parseBash(text);
  const clean = !tree.rootNode.hasError;
  // The tree stays alive as long as the facts: their nodes read their text from it.
  const facts: Facts = { text, clean, tree, funcs: new Map(), ...emptyLists() };
  const walk: Walk = { facts, clean, table: typeTable(tree.language) };
  const cursor = tree.walk();
  try {
    visit(walk, cursor, cursor.nodeTypeId, { sub: false, loop: false }, tree.rootNode);
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

/**
 * Reads the node at the cursor. Returns the context its children are visited in, or undefined when it
 * has visited them itself (or they hold nothing). The cursor is back on the node when it returns.
 */
type Reader = (w: Walk, cursor: TreeCursor, ctx: Context, root: Node) => Context | undefined;

const READERS = new Map<string, Reader>([
  ['function_definition', readFunction],
  ['subshell', inSubshell],
  ['command_substitution', inSubshell],
  ['process_substitution', inSubshell],
  ['pipeline', readPipeline],
  ['for_statement', readFor],
  ['c_style_for_statement', inLoop],
  ['while_statement', inLoop],
  ['variable_assignment', readAssignment],
  ['declaration_command', readDeclaration],
  ['simple_expansion', readExpansion],
  ['expansion', readExpansion],
  ['command', readSimpleCommand],
]);

/** Node types whose children are statements: a statement followed by `&` runs in the background. */
const BACKGROUND_LISTS = new Set([...STATEMENT_LISTS, 'command_substitution', 'process_substitution']);

/** Visits the cursor's node (of type id `id`) and its subtree; the cursor is back on that node when it returns. */
function visit(w: Walk, cursor: TreeCursor, id: number, ctx: Context, root: Node): void {
  const { table, facts, clean } = w;
  if (clean && (table.flags[id]! & SKIP) !== 0) return;
  const type = typeName(table, id);
  if (!clean && (type === 'ERROR' || cursor.nodeIsMissing)) {
    const start = cursor.startIndex;
    facts.problems.push({ start, end: Math.max(cursor.endIndex, start + 1) });
    if (type !== 'ERROR') return;
  }
  if (BASHISM_NODES.has(type)) nodeBashisms(cursor, type, facts.bashisms);
  const read = READERS.get(type);
  if (read) {
    const inner = read(w, cursor, ctx, root);
    if (!inner) return;
    ctx = inner;
  }
  if (!cursor.gotoFirstChild()) return;
  if (!BACKGROUND_LISTS.has(type)) {
    do visit(w, cursor, cursor.nodeTypeId, ctx, root);
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
    return;
  }
  // A statement list: a named child followed by `&` is a background statement.
  let candidate = false;
  do {
    const childId = cursor.nodeTypeId;
    const childType = typeName(table, childId);
    const named = childId === ERROR_ID || (table.flags[childId]! & NAMED) !== 0;
    if (childType === '&' && candidate) {
      const amp = cursor.currentNode;
      facts.backgrounds.push(background(amp.previousSibling!, amp.startIndex, ctx, facts.text, table));
    }
    candidate = named && childType !== 'comment' && childType !== 'heredoc_body';
    visit(w, cursor, childId, ctx, root);
  } while (cursor.gotoNextSibling());
  cursor.gotoParent();
}

/** `name() { … }`: its body is walked in its own context. */
function readFunction(w: Walk, cursor: TreeCursor, ctx: Context): undefined {
  const node = cursor.currentNode;
  const nameNode = node.childForFieldName('name');
  const body = node.childForFieldName('body');
  if (!nameNode || !body) return;
  const name = nameNode.text;
  if (!w.facts.funcs.has(name)) w.facts.funcs.set(name, { name, node, start: node.startIndex, end: node.endIndex, body });
  const inner = body.walk();
  try {
    visit(w, inner, inner.nodeTypeId, { ...ctx, fn: name }, body);
  } finally {
    inner.delete();
  }
}

function inSubshell(_w: Walk, _cursor: TreeCursor, ctx: Context): Context {
  return { ...ctx, sub: true };
}

function inLoop(_w: Walk, _cursor: TreeCursor, ctx: Context): Context {
  return { ...ctx, loop: true };
}

/** `for NAME in …` assigns NAME. */
function readFor(w: Walk, cursor: TreeCursor, ctx: Context): Context {
  const v = cursor.currentNode.childForFieldName('variable');
  if (v) w.facts.assignments.push(bareAssignment(ctx, v.text, v.startIndex, v.endIndex, 'for'));
  return inLoop(w, cursor, ctx);
}

/** Every element of a pipeline but the last runs in a subshell; only named children are walked. */
function readPipeline(w: Walk, cursor: TreeCursor, ctx: Context, root: Node): undefined {
  let named = 0;
  if (cursor.gotoFirstChild()) {
    do if (cursor.nodeIsNamed) named++;
    while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  if (named > 0 && cursor.gotoFirstChild()) {
    const subCtx = { ...ctx, sub: true };
    let i = 0;
    do {
      if (!cursor.nodeIsNamed) continue;
      visit(w, cursor, cursor.nodeTypeId, i === named - 1 ? ctx : subCtx, root);
      i++;
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return undefined;
}

/** `NAME=value`, `NAME[i]=value`, `export NAME=value`. */
function readAssignment(w: Walk, cursor: TreeCursor, ctx: Context): Context {
  const node = cursor.currentNode;
  const nameNode = node.childForFieldName('name');
  const value = node.childForFieldName('value');
  if (nameNode) {
    const decl = node.parent?.type === 'declaration_command' ? node.parent.firstChild?.text ?? 'declare' : 'plain';
    w.facts.assignments.push({
      ...ctx,
      name: nameNode.type === 'subscript' ? (nameNode.firstNamedChild?.text ?? nameNode.text) : nameNode.text,
      start: node.startIndex,
      end: node.endIndex,
      value: value ? wordText(value) : '',
      valueNode: value ?? undefined,
      fromBang: !!value && isBang(value),
      via: decl,
    });
  }
  return ctx;
}

/** `export NAME` / `local NAME` without a value still defines the name. */
function readDeclaration(w: Walk, cursor: TreeCursor, ctx: Context): Context {
  const text = w.facts.text;
  if (cursor.gotoFirstChild()) {
    const via = text.slice(cursor.startIndex, cursor.endIndex);
    do {
      if (cursor.nodeType === 'variable_name') {
        const start = cursor.startIndex;
        const end = cursor.endIndex;
        w.facts.assignments.push(bareAssignment(ctx, text.slice(start, end), start, end, via));
      }
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  return ctx;
}

/** `$NAME`, `${NAME…}`, `${NAME[i]}`: the children are visited only when they may hold facts (`${X:-$(cmd)}`). */
function readExpansion(w: Walk, cursor: TreeCursor, ctx: Context): Context | undefined {
  const { table, facts } = w;
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  let name: string | undefined;
  let subName: string | undefined;
  // Whether a child may hold facts; in a clean tree `$X` holds none.
  let deep = !w.clean;
  if (cursor.gotoFirstChild()) {
    do {
      const id = cursor.nodeTypeId;
      const flags = table.flags[id]!;
      if ((flags & SKIP) === 0) deep = true;
      if (id !== ERROR_ID && (flags & NAMED) === 0) continue;
      if (name !== undefined) continue;
      const t = typeName(table, id);
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
  if (name !== undefined) variableBashism(name, start, end, facts.bashisms);
  return deep ? ctx : undefined;
}

/** A simple command, and the builtins among them that are facts of their own. */
function readSimpleCommand(w: Walk, cursor: TreeCursor, ctx: Context, root: Node): undefined {
  // Which children to visit (their type ids), or -1: read once while the command is read.
  const plan: number[] = [];
  const cmd = readCommand(cursor, w.table, root, ctx, w.facts.text, w.clean, plan);
  w.facts.cmds.push(cmd);
  readBuiltin(cmd, ctx, w.facts);
  if (plan.some((id) => id >= 0) && cursor.gotoFirstChild()) {
    for (let k = 0; k < plan.length; k++) {
      if (plan[k]! >= 0) visit(w, cursor, plan[k]!, ctx, root);
      if (!cursor.gotoNextSibling()) break;
    }
    cursor.gotoParent();
  }
  return undefined;
}

/** An expansion fact (a fixed-shape literal: spreading the context is a slow, megamorphic copy). */
function expansionFact(ctx: Context, name: string, start: number, end: number): Expansion {
  return ctx.fn !== undefined ? { sub: ctx.sub, loop: ctx.loop, fn: ctx.fn, name, start, end } : { sub: ctx.sub, loop: ctx.loop, name, start, end };
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
function background(c: Node, amp: number, ctx: Context, text: string, table: TypeTable): Background {
  const streams = outputStreams(c);
  return {
    ...ctx,
    node: c,
    start: c.startIndex,
    end: c.endIndex,
    amp,
    cmds: commandsOf(c, ctx, text, table),
    stdout: streams.stdout,
    stderr: streams.stderr,
    pidVars: [],
  };
}

/** The simple commands a statement runs, in order, without descending into functions. */
function commandsOf(node: Node, ctx: Context, text: string, table: TypeTable): Cmd[] {
  const out: Cmd[] = [];
  const cursor = node.walk();
  const collect = (): void => {
    const type = cursor.nodeType;
    if (type === 'command') {
      out.push(readCommand(cursor, table, node, ctx, text));
      return;
    }
    if (type === 'function_definition') return;
    if (cursor.gotoFirstChild()) {
      do if (cursor.nodeIsNamed) collect();
      while (cursor.gotoNextSibling());
      cursor.gotoParent();
    }
  };
  try {
    collect();
  } finally {
    cursor.delete();
  }
  return out;
}
