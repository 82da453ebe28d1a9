/** The static text of a word, read from the syntax tree. */
import type { Node, TreeCursor } from '../parser.js';

/**
 * The static text of the word at the cursor (a word, number, quoted string, concatenation or command
 * name), or undefined when it expands something. `text` is the parsed text from offset `base` on;
 * `type` is the node's type when the caller knows it. The cursor is back on its node when it returns.
 */
export function staticText(cursor: TreeCursor, text: string, base = 0, type: string = cursor.nodeType): string | undefined {
  switch (type) {
    case 'word':
    case 'number': {
      const t = text.slice(cursor.startIndex - base, cursor.endIndex - base);
      return t.includes('\\') ? t.replace(/\\(.)/g, '$1') : t;
    }
    case 'raw_string':
      return text.slice(cursor.startIndex - base, cursor.endIndex - base).slice(1, -1);
    case 'string': {
      // Its contents, when they are all literal.
      let out: string | undefined = '';
      if (cursor.gotoFirstChild()) {
        do {
          if (!cursor.nodeIsNamed) continue;
          if (cursor.nodeType !== 'string_content') {
            out = undefined;
            break;
          }
          out += text.slice(cursor.startIndex - base, cursor.endIndex - base);
        } while (cursor.gotoNextSibling());
        cursor.gotoParent();
      }
      return out;
    }
    case 'concatenation': {
      // All of its parts.
      let out: string | undefined = '';
      if (cursor.gotoFirstChild()) {
        do {
          if (!cursor.nodeIsNamed) continue;
          const t = staticText(cursor, text, base);
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
      // Its first part.
      let out: string | undefined;
      if (cursor.gotoFirstChild()) {
        do {
          if (cursor.nodeIsNamed) {
            out = staticText(cursor, text, base);
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

/** `staticText` of a node. */
export function staticTextOf(node: Node): string | undefined {
  const cursor = node.walk();
  try {
    return staticText(cursor, node.text, node.startIndex);
  } finally {
    cursor.delete();
  }
}

/** Unquoted text of a word for reading: its static text, or the text as written inside its quotes. */
export function wordText(node: Node): string {
  const s = staticTextOf(node);
  if (s !== undefined) return s;
  if (node.type === 'string') return node.text.slice(1, -1);
  return node.text;
}

/** The last part of a path: `/usr/bin/kill` -> `kill`. */
export function basename(name: string): string {
  const i = name.lastIndexOf('/');
  return i >= 0 ? name.slice(i + 1) : name;
}
