/**
 * The YAML of one file turned into a small value tree in which every scalar keeps where and how it is
 * written (offset, style, end, source token), so that text reached through aliases, merges, `extends`
 * or `!reference` still knows where it is written.
 */
import { Alias, Composer, isAlias, isMap, isPair, isScalar, isSeq, Lexer, Parser } from 'yaml';
import type { CST, Document, Node as YamlNode, ParsedNode, YAMLMap, YAMLSeq } from 'yaml';
import type { Diagnostic, ScriptItem } from '../types.js';
import type { SourceFile } from './source.js';

export interface VBase {
  src: SourceFile;
  /** Offset of the node in `src.text`. */
  offset: number;
}
export interface VScalar extends VBase {
  kind: 'scalar';
  value: unknown;
  /** How it is written, where it ends, and its source token: what mapping its characters back needs (no YAML tree is kept). */
  style: ScalarStyle;
  end: number;
  token: CST.Token | undefined;
  /** The script item made of it, once a job runs it (see load.ts); shared by every job that does. */
  item: ScriptItem | undefined;
  /** Set when `value` is not the written text (its `$[[ inputs.x ]]` replaced): that text, and for each index of `value` its index there. */
  written?: { text: string; from: number[] };
}
export type ScalarStyle = ScriptItem['scalar']['style'];
export interface VEntry {
  key: string;
  /** Where the key is written. */
  src: SourceFile;
  offset: number;
  value: V;
}
export interface VMap extends VBase {
  kind: 'map';
  entries: Map<string, VEntry>;
}
export interface VSeq extends VBase {
  kind: 'seq';
  items: V[];
}
/** A `!reference [job, key, …]` not yet resolved. */
export interface VRef extends VBase {
  kind: 'ref';
  path: VScalar[];
}
export type V = VScalar | VMap | VSeq | VRef;

export const isNullV = (v: V | undefined): boolean => v === undefined || (v.kind === 'scalar' && v.value === null);

/** Limits that keep hostile input fast. */
export const MAX_ALIAS_EXPANSIONS = 10_000;

/** Counts alias expansions over a whole load (all files). */
export interface ConvertState {
  aliasExpansions: number;
  diagnostics: Diagnostic[];
}

/** A `!reference` tag: keeps the sequence as it is; the loader resolves it. Nothing is executed. */
const referenceTag = {
  tag: '!reference',
  collection: 'seq' as const,
  default: false as const,
  resolve: (seq: YAMLSeq) => seq,
};

/**
 * YAML 1.1's other booleans, as Psych reads them (any case): `yes`/`no`/`on`/`off`, so that
 * `inherit: {default: no}` means what it means to GitLab. `true`/`false` are the core schema's.
 */
const psychBool = {
  identify: (v: unknown) => typeof v === 'boolean',
  default: true,
  tag: 'tag:yaml.org,2002:bool',
  test: /^(?:yes|no|on|off|true|false)$/i,
  resolve: (s: string) => /^(?:yes|on|true)$/i.test(s),
};

export interface ParsedFile {
  src: SourceFile;
  /** The documents' top values; `null` for an empty document. */
  docs: { value: V | null; offset: number }[];
}

/** Parses and converts every document of a file. Throws InputError for YAML errors. */
export function parseFile(src: SourceFile, state: ConvertState): ParsedFile {
  // yaml's own parser and composer, fed the lexemes of `libyamlLexemes` (what parseAllDocuments does with
  // those of its lexer).
  const parser = new Parser();
  const lexemes = libyamlLexemes(src.text);
  const tokens = function* () {
    for (const lexeme of lexemes) yield* parser.next(lexeme);
    yield* parser.end();
  };
  const composer = new Composer({ keepSourceTokens: true, uniqueKeys: false, merge: false, customTags: [referenceTag, psychBool] });
  const list = Array.from(composer.compose(tokens()));
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      if (/call stack/i.test(err.message)) {
        // the yaml library ran out of stack: report the nesting, not the library's internals
        throw src.error('yaml-too-deep', 'invalid YAML: nested too deeply to read (thousands of levels)', err.pos[0]);
      }
      const code = err.code === 'TAB_AS_INDENT' ? 'tab-indent' : 'yaml-syntax';
      const message = err.message.replace(/ at line \d+, column \d+[\s\S]*$/, '').replace(/:\s*$/, '');
      throw src.error(code, `invalid YAML: ${message}`, err.pos[0]);
    }
  }
  return {
    src,
    docs: list.map((doc) => ({
      value: doc.contents ? new Converter(src, doc, state).convert(doc.contents as ParsedNode) : null,
      offset: doc.range?.[0] ?? 0,
    })),
  };
}

/** Lexemes of the yaml lexer that mark a place and hold no text of the source. */
const CONTROL_LEXEMES = new Set(['\x02', '\x18', '\x1f']);

/** Offset of the quote that closes the quoted scalar opening at `start`, found as yaml's lexer finds it, or -1. */
function closingQuote(text: string, start: number): number {
  const quote = text[start]!;
  let end = text.indexOf(quote, start + 1);
  if (quote === "'") {
    while (end !== -1 && text[end + 1] === "'") end = text.indexOf("'", end + 2);
  } else {
    while (end !== -1) {
      let n = 0;
      while (text[end - 1 - n] === '\\') n++;
      if (n % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
  }
  return end;
}

/**
 * The yaml lexer's lexemes of `text`, reading quoted scalars as libyaml (GitLab's reader, through Ruby's
 * Psych) does. libyaml lets the lines of a quoted scalar after the first sit at any indentation, the
 * key's own included (`if: '` then `  $A == "x"` at the key's column, as in GitLab's own rules files);
 * yaml ends the scalar at such a line, and the rest of the file no longer parses. The value is the same
 * either way (line folding drops the leading spaces). So where yaml's lexer ends a quoted scalar before
 * its closing quote, spaces are added in front of its later lines for the lexer only, and taken out of
 * the lexemes again: the parser and composer see the file's own text, so every offset is the file's.
 * A line that is a document marker (`---`, `...`) still ends the scalar, as it does for libyaml.
 */
export function libyamlLexemes(text: string): string[] {
  let norm = text;
  /** Offsets in `norm` of the spaces added, ascending. */
  let added: number[] = [];
  for (let pass = 0; ; pass++) {
    const lexemes = Array.from(new Lexer().lex(norm));
    const fix = pass < 1000 ? cutQuote(lexemes, norm) : null;
    if (!fix) return added.length ? without(lexemes, added) : lexemes;
    const [start, end] = fix;
    const quoteColumn = start - (norm.lastIndexOf('\n', start) + 1);
    let out = norm.slice(0, start);
    const adds: number[] = [];
    let from = start;
    for (let nl = norm.indexOf('\n', start); nl !== -1 && nl < end; nl = norm.indexOf('\n', nl + 1)) {
      const line = nl + 1;
      let spaces = 0;
      while (norm[line + spaces] === ' ') spaces++;
      const next = norm[line + spaces];
      if (next === '\n' || next === '\r' || spaces > quoteColumn) continue;
      if (/^(---|\.\.\.)([\s]|$)/.test(norm.slice(line, line + 4))) break;
      const k = quoteColumn + 1 - spaces;
      out += norm.slice(from, line);
      for (let i = 0; i < k; i++) adds.push(out.length + i);
      out += ' '.repeat(k);
      from = line;
    }
    if (!adds.length) return added.length ? without(lexemes, added) : lexemes;
    out += norm.slice(from);
    // earlier additions after this scalar move with the text
    const shifted = added.map((o) => o + adds.filter((a) => a - adds.indexOf(a) <= o).length);
    added = [...shifted, ...adds].sort((a, b) => a - b);
    norm = out;
  }
}

/** The first quoted scalar yaml's lexer ends before its closing quote: its opening and closing offsets. */
function cutQuote(lexemes: string[], text: string): [number, number] | null {
  let offset = 0;
  for (const l of lexemes) {
    if (CONTROL_LEXEMES.has(l)) continue;
    const c = l[0];
    if (c === "'" || c === '"') {
      const end = closingQuote(text, offset);
      if (end !== -1 && offset + l.length < end + 1) return [offset, end];
    }
    offset += l.length;
  }
  return null;
}

/** `lexemes` without the characters at the `added` offsets (ascending) of their text. */
function without(lexemes: string[], added: number[]): string[] {
  const out: string[] = [];
  let offset = 0;
  let i = 0;
  for (const l of lexemes) {
    if (CONTROL_LEXEMES.has(l)) {
      out.push(l);
      continue;
    }
    const end = offset + l.length;
    if (i < added.length && added[i]! < end) {
      let kept = '';
      for (let k = 0; k < l.length; k++) {
        if (added[i] === offset + k) i++;
        else kept += l[k];
      }
      if (kept) out.push(kept);
    } else out.push(l);
    offset = end;
  }
  return out;
}

class Converter {
  readonly #anchorOf = new Map<Alias, YamlNode>();
  readonly #expanding = new Set<YamlNode>();
  constructor(
    readonly src: SourceFile,
    doc: Document.Parsed,
    readonly state: ConvertState,
  ) {
    // Anchors in document order: an alias refers to the closest preceding definition. A file without
    // a `*` has no alias to look for.
    if (!src.text.includes('*')) return;
    const anchors = new Map<string, YamlNode>();
    const walk = (node: unknown): void => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) this.#anchorOf.set(node, target);
      } else if (isScalar(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
      } else if (isMap(node) || isSeq(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        for (const it of node.items) {
          if (isPair(it)) {
            walk(it.key);
            walk(it.value);
          } else walk(it);
        }
      }
    };
    walk(doc.contents);
  }

  offsetOf(node: YamlNode): number {
    const tok = (node as { srcToken?: { offset?: number } }).srcToken;
    if (isScalar(node) && typeof tok?.offset === 'number') return tok.offset;
    return node.range?.[0] ?? 0;
  }

  convert(node: YamlNode | null | undefined, fallbackOffset = 0): V {
    if (!node) {
      return nullScalar(this.src, fallbackOffset);
    }
    if (isAlias(node)) return this.#expandAlias(node);
    const offset = this.offsetOf(node);
    if (isScalar(node)) {
      // yaml builds a multi-line scalar by concatenation: in V8 a tree of pieces (some 3 KB of them for a
      // 30-line block) that lives as long as the text does. Reading a character makes it one flat string.
      if (typeof node.value === 'string') node.value.charCodeAt(0);
      return {
        kind: 'scalar', value: node.value, src: this.src, offset,
        style: (node.type ?? 'PLAIN') as ScalarStyle, end: node.range?.[1] ?? offset, token: node.srcToken as CST.Token | undefined, item: undefined,
      };
    }
    if (isSeq(node)) {
      if (node.tag === '!reference') return this.#reference(node, this.#tagOffset(offset));
      this.#expanding.add(node);
      try {
        return { kind: 'seq', items: node.items.map((it) => this.convert(it as YamlNode, offset)), src: this.src, offset };
      } finally {
        this.#expanding.delete(node);
      }
    }
    if (isMap(node)) {
      this.#expanding.add(node);
      try {
        return this.#map(node, offset);
      } finally {
        this.#expanding.delete(node);
      }
    }
    return nullScalar(this.src, offset);
  }

  #expandAlias(alias: Alias): V {
    const offset = alias.range?.[0] ?? 0;
    const target = this.#anchorOf.get(alias);
    if (!target) throw this.src.error('yaml-syntax', `invalid YAML: unknown alias *${alias.source}`, offset);
    if (this.#expanding.has(target)) {
      throw this.src.error('alias-recursive', `alias *${alias.source} refers to a node that contains it`, offset);
    }
    if (++this.state.aliasExpansions > MAX_ALIAS_EXPANSIONS) {
      throw this.src.error(
        'alias-bomb',
        `too many alias expansions (more than ${MAX_ALIAS_EXPANSIONS}): refusing a possible alias bomb at *${alias.source}`,
        offset,
      );
    }
    return this.convert(target, offset);
  }

  /** Where the `!reference` tag is written, before the `[` of its list (comments and anchors aside, it is just before). */
  #tagOffset(listOffset: number): number {
    const at = this.src.text.lastIndexOf('!reference', listOffset);
    return at !== -1 && this.src.text.slice(at + '!reference'.length, listOffset).trim() === '' ? at : listOffset;
  }

  #reference(node: YAMLSeq, offset: number): VRef {
    const path: VScalar[] = [];
    for (const it of node.items) {
      const v = this.convert(it as YamlNode, offset);
      if (v.kind !== 'scalar' || v.value === null || typeof v.value === 'object') {
        throw this.src.error('reference-invalid', '!reference needs a list of names, like !reference [.job, script]', offset);
      }
      path.push(v);
    }
    if (path.length === 0) throw this.src.error('reference-invalid', '!reference needs at least a job name', offset);
    return { kind: 'ref', path, src: this.src, offset };
  }

  /**
   * A map as Ruby's Psych builds it (GitLab's reader): keys in order, a later one replacing an earlier
   * one (a duplicate key: the last wins), and each `<<` merge applied where it is written, its keys
   * replacing those before it (in a `<<: [*a, *b]` list the first map wins).
   */
  #map(node: YAMLMap, offset: number): VMap {
    const entries = new Map<string, VEntry>();
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyOffset = keyNode ? this.offsetOf(keyNode) : offset;
      if (this.#isMergeKey(keyNode)) {
        const sources = this.#mergeSources(pair.value as YamlNode | null, keyOffset);
        const merged = new Map<string, VEntry>();
        for (const source of sources) for (const [k, e] of source.entries) if (!merged.has(k)) merged.set(k, e);
        for (const [k, e] of merged) entries.set(k, e);
        continue;
      }
      const key = keyString(keyNode);
      if (seen.has(key)) {
        this.state.diagnostics.push(
          this.src.diagnostic('warning', 'duplicate-key', `duplicate key "${key}": the last one is used`, keyOffset),
        );
      }
      seen.add(key);
      const value = this.convert(pair.value as YamlNode | null, keyOffset);
      entries.set(key, { key, src: this.src, offset: keyOffset, value });
    }
    return { kind: 'map', entries, src: this.src, offset };
  }

  /** `<<` is a merge key unless tagged `!!str` (Psych merges a quoted `'<<'` too). */
  #isMergeKey(key: YamlNode | null): boolean {
    return !!key && isScalar(key) && key.value === '<<' && key.tag !== 'tag:yaml.org,2002:str';
  }

  #mergeSources(value: YamlNode | null, keyOffset: number): VMap[] {
    const v = this.convert(value, keyOffset);
    const list = v.kind === 'seq' ? v.items : [v];
    const maps: VMap[] = [];
    for (const m of list) {
      if (m.kind === 'map') maps.push(m);
      else {
        this.state.diagnostics.push(
          this.src.diagnostic('warning', 'bad-merge', 'a `<<` merge value must be a map or a list of maps; ignored', m.offset),
        );
      }
    }
    return maps;
  }
}

function nullScalar(src: SourceFile, offset: number): VScalar {
  return { kind: 'scalar', value: null, src, offset, style: 'PLAIN', end: offset, token: undefined, item: undefined };
}

function keyString(key: YamlNode | null): string {
  if (!key) return '';
  if (isScalar(key)) return key.value === null ? '' : String(key.value);
  return String(key);
}
