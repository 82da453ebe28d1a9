/** A script line as GitLab runs it, mapped lazily back to its source characters. */
import type { Position, ScriptItem } from '../types.js';
import { mapScalarToken } from './scalar-map.js';
import type { SourceFile } from './source.js';
import type { VScalar } from './value.js';
import type { CST } from 'yaml';

type Style = ScriptItem['scalar']['style'];

/**
 * The part of a scalar's source token that mapping its value back to the source needs: a small copy,
 * so that an item keeps nothing of the file's syntax tree alive once the pipeline is loaded.
 */
type ScalarToken =
  | { type: 'scalar' | 'single-quoted-scalar' | 'double-quoted-scalar'; offset: number; source: string }
  | { type: 'block-scalar'; offset: number; indent: number; source: string; props: Array<{ type: string; source?: string }> };

/** The small copy of a CST token (undefined for tokens that are not scalars). */
function scalarToken(token: CST.Token | undefined): ScalarToken | undefined {
  if (!token) return undefined;
  switch (token.type) {
    case 'scalar':
    case 'single-quoted-scalar':
    case 'double-quoted-scalar':
      return { type: token.type, offset: token.offset, source: token.source };
    case 'block-scalar':
      return {
        type: 'block-scalar',
        offset: token.offset,
        indent: token.indent,
        source: token.source,
        props: token.props.map((p) => ('source' in p && typeof p.source === 'string' ? { type: p.type, source: p.source } : { type: p.type })),
      };
    default:
      return undefined;
  }
}

/**
 * An item whose `$[[ inputs.x ]]` were replaced (see inputs.ts): `from` gives, for each index of its
 * text, the index in the written item's text; a replaced part maps to its `$[[`.
 */
export class InterpolatedItem implements ScriptItem {
  readonly #written: ScriptItem;
  readonly #from: number[];
  readonly text: string;
  constructor(written: ScriptItem, text: string, from: number[]) {
    this.#written = written;
    this.text = text;
    this.#from = from;
  }
  get file(): string {
    return this.#written.file;
  }
  get key(): string {
    return `${this.#written.key}:${this.text}`;
  }
  get scalar(): ScriptItem['scalar'] {
    return this.#written.scalar;
  }
  offsetOf(index: number): number {
    const i = Math.max(0, Math.min(Math.trunc(index) || 0, this.#from.length - 1));
    return this.#written.offsetOf(this.#from[i]!);
  }
  locate(index: number): Position {
    const i = Math.max(0, Math.min(Math.trunc(index) || 0, this.#from.length - 1));
    return this.#written.locate(this.#from[i]!);
  }
}

export class YamlScriptItem implements ScriptItem {
  readonly text: string;
  readonly scalar: { start: number; end: number; style: Style };
  readonly #src: SourceFile;
  readonly #token: ScalarToken | undefined;
  #key: string | undefined;
  #offsets: number[] | null = null;
  #exact = false;

  constructor(src: SourceFile, scalar: ScriptItem['scalar'], token: ScalarToken | undefined, text: string) {
    this.#src = src;
    this.#token = token;
    this.text = text;
    this.scalar = scalar;
  }

  /** The item of a scalar of the YAML model. */
  static of(v: VScalar, text: string): YamlScriptItem {
    return new YamlScriptItem(v.src, { start: v.offset, end: v.end, style: v.style }, scalarToken(v.token), text);
  }

  get file(): string {
    return this.#src.file;
  }

  get key(): string {
    return (this.#key ??= `${this.#src.file}:${this.scalar.start}`);
  }

  #map(): number[] {
    if (this.#offsets) return this.#offsets;
    const mapped = this.#token ? mapScalarToken(this.#token as CST.Token) : null;
    if (mapped && mapped.value === this.text) {
      this.#offsets = mapped.offsets;
      this.#exact = true;
    } else {
      this.#offsets = new Array<number>(this.text.length + 1).fill(this.scalar.start);
    }
    return this.#offsets;
  }

  /** Whether every character maps to its own source character (false: all map to the scalar start). */
  get exact(): boolean {
    this.#map();
    return this.#exact;
  }

  offsetOf(index: number): number {
    const offsets = this.#map();
    const i = Math.max(0, Math.min(Math.trunc(index) || 0, offsets.length - 1));
    return offsets[i]!;
  }

  locate(index: number): Position {
    return this.#src.position(this.offsetOf(index));
  }
}
