/** A script line as GitLab runs it, mapped lazily back to its source characters. */
import type { Position, ScriptItem } from '../types.js';
import { mapScalarToken } from './scalar-map.js';
import type { VScalar } from './value.js';
import type { CST } from 'yaml';

type Style = ScriptItem['scalar']['style'];

export class YamlScriptItem implements ScriptItem {
  readonly text: string;
  readonly file: string;
  readonly key: string;
  readonly scalar: { start: number; end: number; style: Style };
  readonly #v: VScalar;
  #offsets: number[] | null = null;
  #exact = false;

  constructor(v: VScalar, text: string) {
    this.#v = v;
    this.text = text;
    this.file = v.src.file;
    this.key = `${v.src.file}:${v.offset}`;
    const style = (v.node.type ?? 'PLAIN') as Style;
    const end = v.node.range?.[1] ?? v.offset;
    this.scalar = { start: v.offset, end, style };
  }

  #map(): number[] {
    if (this.#offsets) return this.#offsets;
    const token = this.#v.node.srcToken as CST.Token | undefined;
    const mapped = token ? mapScalarToken(token) : null;
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
    return this.#v.src.position(this.offsetOf(index));
  }
}
