/** What the walk knows of tree-sitter-bash's node types, by type id (a cursor gives ids without making nodes). */
import type { Language } from 'web-tree-sitter';

/** Node types that never have named children (tree-sitter-bash's node-types.json). */
const LEAF_TYPES = new Set([
  'word', 'comment', 'raw_string', 'string_content', 'variable_name', 'special_variable_name', 'ansi_c_string',
  'file_descriptor', 'heredoc_start', 'heredoc_end', 'heredoc_content', 'test_operator', 'regex', 'extglob_pattern',
]);

/**
 * Node types whose children are whole statements of the script: text inserted before such a child
 * starts a statement of its own. (Command and process substitutions hold statements too, but inside a word.)
 */
export const STATEMENT_LISTS: ReadonlySet<string> = new Set([
  'program', 'compound_statement', 'do_group', 'subshell', 'if_statement', 'elif_clause', 'else_clause', 'case_item',
]);

/** A node of the type yields no facts in a tree without errors: a token or a leaf. */
export const SKIP = 1;
/** The type is named. */
export const NAMED = 2;
/** The type id of ERROR nodes. */
export const ERROR_ID = 65535;

export interface TypeTable {
  types: string[];
  /** Per type id: NAMED when the type is named, SKIP when a node of it (in a tree without errors) yields no facts. */
  flags: Uint8Array;
  /** Field ids. */
  fields: { name: number; argument: number };
}

let table: TypeTable | undefined;

/** The type table of the grammar (made once). */
export function typeTable(language: Language): TypeTable {
  if (table && table.types === language.types) return table;
  const types = language.types;
  const flags = new Uint8Array(types.length);
  for (let id = 0; id < types.length; id++) {
    const named = language.nodeTypeIsNamed(id);
    // Anonymous nodes are tokens: their parent reads them (`&`, `|&`, `&>`, `[[`).
    flags[id] = (named ? NAMED : 0) | (!named || LEAF_TYPES.has(types[id]!) ? SKIP : 0);
  }
  const fields = { name: language.fieldIdForName('name') ?? -1, argument: language.fieldIdForName('argument') ?? -1 };
  table = { types, flags, fields };
  return table;
}

/** The type of a type id (`ERROR` for the error id). */
export function typeName(t: TypeTable, id: number): string {
  return t.types[id] || 'ERROR';
}
