/**
 * The YAML of one file turned into a small value tree in which every scalar keeps where and how it is
 * written (offset, style, end, source token), so that text reached through aliases, merges, `extends`
 * or `!reference` still knows where it is written.
 */
import { Alias, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, Scalar } from 'yaml';
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

export interface ParsedFile {
  src: SourceFile;
  /** The documents' top values; `null` for an empty document. */
  docs: { value: V | null; offset: number }[];
}

/** Parses and converts every document of a file. Throws InputError for YAML errors. */
export function parseFile(src: SourceFile, state: ConvertState): ParsedFile {
  const docs = parseAllDocuments(src.text, {
    keepSourceTokens: true,
    uniqueKeys: false,
    merge: false,
    prettyErrors: false,
    customTags: [referenceTag],
  });
  const list = Array.isArray(docs) ? docs : [docs];
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

  #map(node: YAMLMap, offset: number): VMap {
    const explicit = new Set<string>();
    for (const pair of node.items) {
      if (!this.#isMergeKey(pair.key as YamlNode | null)) explicit.add(keyString(pair.key as YamlNode | null));
    }
    const entries = new Map<string, VEntry>();
    const seen = new Set<string>();
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const keyNode = pair.key as YamlNode | null;
      const keyOffset = keyNode ? this.offsetOf(keyNode) : offset;
      if (this.#isMergeKey(keyNode)) {
        for (const source of this.#mergeSources(pair.value as YamlNode | null, keyOffset)) {
          for (const [k, e] of source.entries) if (!explicit.has(k) && !entries.has(k)) entries.set(k, e);
        }
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

  #isMergeKey(key: YamlNode | null): boolean {
    return !!key && isScalar(key) && key.value === '<<' && key.type === Scalar.PLAIN;
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
