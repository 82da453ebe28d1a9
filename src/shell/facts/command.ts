/**
 * Simple commands: read from the syntax tree with a cursor, wrappers (`sudo`, `nohup`, `env`, …)
 * peeled off, their nodes made only when asked for.
 */
import type { Node, TreeCursor } from '../parser.js';
import type { Cmd, Context, Span, SyntaxNode } from './model.js';
import { WRAPPERS } from './tables.js';
import { basename, staticText } from './text.js';
import { ERROR_ID, NAMED, SKIP, typeName, type TypeTable } from './tree.js';

interface Arg {
  /** Static text, or undefined when it expands something. */
  value: string | undefined;
  /** Text as written. */
  raw: string;
  type: string;
}

/** Whether source text can hold an expansion, a substitution or a brace expansion (see readCommand). */
function mayHoldFacts(raw: string): boolean {
  return raw.includes('$') || raw.includes('`') || raw.includes('<(') || raw.includes('>(') || raw.includes('{');
}

/**
 * Reads the simple command at the cursor (a `command` node of the tree under `root`, whose text is
 * `text`); the cursor is back on it when it returns. `plan` receives, per child, its type id when the
 * facts walk must visit it, else -1 (`clean`: the tree has no error, so tokens and leaves hold nothing).
 */
export function readCommand(
  cursor: TreeCursor, table: TypeTable, root: Node, ctx: Context, text: string, clean = false, plan?: number[],
): Cmd {
  // The node itself is made when first asked for: where it is in the tree is enough until then.
  const index = cursor.currentDescendantIndex;
  const start = cursor.startIndex;
  const end = cursor.endIndex;
  const fields = table.fields;
  let rawName = '';
  let name: string | undefined;
  let haveName = false;
  const words: Arg[] = [];
  if (cursor.gotoFirstChild()) {
    do {
      const id = cursor.nodeTypeId;
      const type = typeName(table, id);
      const field = cursor.currentFieldId;
      let visit = !clean || (table.flags[id]! & SKIP) === 0;
      if (field === fields.name && !haveName) {
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
                name = staticText(cursor, text, 0, typeName(table, cid));
              }
            } while (cursor.gotoNextSibling());
            cursor.gotoParent();
          }
          visit = deep;
        } else {
          name = staticText(cursor, text, 0, type);
        }
      } else if (field === fields.argument) {
        const raw = text.slice(cursor.startIndex, cursor.endIndex);
        words.push({ value: staticText(cursor, text, 0, type), raw, type });
        // In a tree without errors, every fact inside an argument is an expansion, a command or process
        // substitution, all of which start with `$`, a backquote, `<(` or `>(`: without those, nothing to visit.
        if (visit && clean && !mayHoldFacts(raw)) visit = false;
      }
      plan?.push(visit ? id : -1);
    } while (cursor.gotoNextSibling());
    cursor.gotoParent();
  }
  const peeled = peelWrappers(name, words);
  const rest = peeled.rest;
  return new SimpleCommand(ctx, root, index, start, end, {
    name: peeled.dynamic !== undefined ? undefined : peeled.name,
    rawName: peeled.dynamic ?? (peeled.wrappers.length ? (peeled.name ?? rawName) : rawName),
    args: rest.map((a) => a.value ?? (a.type === 'string' ? a.raw.slice(1, -1) : a.raw)),
    argStatic: rest.map((a) => a.value !== undefined),
    wrappers: peeled.wrappers,
    wrapperFlags: peeled.wrapperFlags,
  }, rest.length);
}

/**
 * Peels wrappers off a command line: `sudo -E nohup setsid env X=1 cmd …` runs `cmd …`. `dynamic`: the
 * wrapped command's name as written, when it is not static text.
 */
function peelWrappers(
  name: string | undefined, words: Arg[],
): { name: string | undefined; dynamic?: string; rest: Arg[]; wrappers: string[]; wrapperFlags: string[] } {
  const wrappers: string[] = [];
  const wrapperFlags: string[] = [];
  let rest = words;
  let w = name !== undefined ? WRAPPERS.get(basename(name)) : undefined;
  while (name !== undefined && w) {
    let i = 0;
    while (i < rest.length) {
      const t = rest[i]!.value ?? rest[i]!.raw;
      if (w.assigns && /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
        i++;
        continue;
      }
      if (w.lead && i === 0 && w.lead.test(t)) {
        i++;
        continue;
      }
      if (!t.startsWith('-') || t === '-') break;
      wrapperFlags.push(t);
      i++;
      if (t === '--') break;
      if (w.valued.has(t)) i++;
    }
    if (w.operand && i < rest.length && w.operand.test(rest[i]!.value ?? '')) i++;
    if (i >= rest.length) break;
    wrappers.push(basename(name));
    const n = rest[i]!;
    name = n.value;
    rest = rest.slice(i + 1);
    if (name === undefined) return { name, dynamic: n.raw, rest, wrappers, wrapperFlags };
    w = WRAPPERS.get(basename(name));
  }
  return { name, rest, wrappers, wrapperFlags };
}

/** What a command says, besides its place. */
type CmdWords = Pick<Cmd, 'name' | 'rawName' | 'args' | 'argStatic' | 'wrappers' | 'wrapperFlags'>;

/**
 * A simple command. Its nodes are made when first asked for (few commands need them); the syntax
 * tree is alive as long as the facts are.
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
  #words: CmdWords;
  #count: number;
  #nodes: Node[] | undefined;
  #spans: Span[] | undefined;
  /** The node the walk started from, and this command's index among its descendants (pre-order). */
  #root: Node;
  #index: number;
  #node: Node | undefined;
  /** The command this one was moved from (see `moved`): its nodes are found once for every copy. */
  #origin: SimpleCommand | undefined;

  constructor(ctx: Context, root: Node, index: number, start: number, end: number, words: CmdWords, count: number) {
    this.sub = ctx.sub;
    this.loop = ctx.loop;
    if (ctx.fn !== undefined) this.fn = ctx.fn;
    this.#root = root;
    this.#index = index;
    this.start = start;
    this.end = end;
    this.name = words.name;
    this.rawName = words.rawName;
    this.args = words.args;
    this.argStatic = words.argStatic;
    this.wrappers = words.wrappers;
    this.wrapperFlags = words.wrapperFlags;
    this.#words = words;
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

  get argSpans(): Span[] {
    return (this.#spans ??= this.argNodes.map((n) => nodeRange(this, n)));
  }

  /** The same command in a text where its own text starts `delta` characters later. */
  moved(delta: number): SimpleCommand {
    const m = new SimpleCommand(this, this.#root, this.#index, this.start + delta, this.end + delta, this.#words, this.#count);
    m.#origin = this.#origin ?? this;
    return m;
  }
}

/** A command's offsets in a text where its own text starts `delta` characters later. */
export function moveCmd(cmd: Cmd, delta: number): Cmd {
  if (cmd instanceof SimpleCommand) return cmd.moved(delta);
  return { ...cmd, start: cmd.start + delta, end: cmd.end + delta, argSpans: cmd.argSpans.map((s) => ({ start: s.start + delta, end: s.end + delta })) };
}

/**
 * The program offsets of a node of `cmd`'s syntax tree (the tree may be that of one script item or of
 * a trap's handler: its own offsets count from the start of that text).
 */
export function nodeRange(cmd: Cmd, node: SyntaxNode): Span {
  const delta = cmd.start - cmd.node.startIndex;
  return { start: node.startIndex + delta, end: node.endIndex + delta };
}

/** The last `count` argument nodes of a command (those after its wrappers). */
function argumentNodes(node: Node, count: number): Node[] {
  const all = node.childrenForFieldName('argument').filter((a): a is Node => !!a);
  return all.slice(all.length - count);
}
