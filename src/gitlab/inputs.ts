/**
 * `$[[ inputs.NAME ]]` of a CI/CD component (or of a file with a `spec:` header) replaced by the value
 * its include gives, else the `spec:` default, as GitLab does before reading the file's jobs. Every
 * replaced scalar keeps where it is written: a script item made of it maps each character back to the
 * file, and a character of a replaced part to its `$[[`.
 */
import type { Diagnostic } from '../types.js';
import type { V, VEntry, VMap, VScalar } from './value.js';

const INPUT = /\$\[\[\s*inputs\.([A-Za-z0-9_-]+)\s*((?:\|\s*[a-z_]+(?:\([^)]*\))?\s*)*)\]\]/g;

/** Shellwords.escape, as GitLab's `posix_escape` applies it. */
function posixEscape(s: string): string {
  if (s === '') return "''";
  return s.replace(/[^A-Za-z0-9_\-.,:+/@\n]/g, '\\$&').replace(/\n/g, "'\n'");
}

function applyFunctions(value: string, functions: string): string {
  let out = value;
  for (const m of functions.matchAll(/\|\s*([a-z_]+)(?:\(([^)]*)\))?/g)) {
    const args = (m[2] ?? '').split(',').map((a) => Number(a.trim()));
    if (m[1] === 'truncate' && args.length === 2 && args.every(Number.isInteger)) out = out.slice(args[0]!, args[0]! + args[1]!);
    else if (m[1] === 'posix_escape') out = posixEscape(out);
    // expand_vars expands CI/CD variables, whose values are not known here: the text stays as given
  }
  return out;
}

function scalarText(v: V | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'scalar') return v.value === null ? '' : String(v.value);
  if (v.kind === 'seq') return v.items.map(scalarText).join(' ');
  return undefined;
}

/**
 * `text` with its inputs replaced, and for each index of the result the index of `text` it comes from
 * (a replaced part: the index of its `$[[`); null when `text` has none.
 */
export function interpolate(text: string, value: (name: string) => string): { text: string; from: number[] } | null {
  if (!text.includes('$[[')) return null;
  let out = '';
  const from: number[] = [];
  let last = 0;
  let any = false;
  for (const m of text.matchAll(INPUT)) {
    any = true;
    for (let i = last; i < m.index; i++) from.push(i);
    out += text.slice(last, m.index);
    const v = applyFunctions(value(m[1]!), m[2] ?? '');
    for (let i = 0; i < v.length; i++) from.push(m.index);
    out += v;
    last = m.index + m[0].length;
  }
  if (!any) return null;
  for (let i = last; i <= text.length; i++) from.push(i);
  out += text.slice(last);
  return { text: out, from };
}

/**
 * `body` (a file's jobs) with the inputs replaced in every key and string, for one include: `header`
 * is the file's `spec:` document, `given` the include's `inputs:`. An input with neither a value nor
 * a default, or one the spec does not declare, is a note; through an include it reads as empty (at
 * `at`), and in a file linted on its own (`given` undefined, `at` its header) as the shell variable of
 * its name (at its declaration), so that a script using it still parses.
 */
export function interpolateInputs(body: VMap, header: V | null, given: VMap | undefined, at: V, onNote: (d: Diagnostic) => void): VMap {
  const spec = header?.kind === 'map' ? header.entries.get('spec')?.value : undefined;
  const declared = spec?.kind === 'map' ? spec.entries.get('inputs')?.value : undefined;
  const own = !given && at === header;
  const values = new Map<string, string>();
  const value = (name: string): string => {
    const known = values.get(name);
    if (known !== undefined) return known;
    const entry = declared?.kind === 'map' ? declared.entries.get(name) : undefined;
    const def = entry?.value.kind === 'map' ? entry.value.entries.get('default')?.value : undefined;
    let v = scalarText(given?.entries.get(name)?.value) ?? scalarText(def);
    if (v === undefined) {
      // on its own, at the input's declaration (where a default would go)
      const where = own && entry ? entry : at;
      onNote(
        where.src.diagnostic(
          'info', 'input-not-given',
          own
            ? `input ${name} has no default: linted on its own, this file reads it as $${variable(name)}`
            : `input ${name} of the included file has no value here and no default: it is read as empty`,
          where.offset,
        ),
      );
      v = own ? `$${variable(name)}` : '';
    }
    values.set(name, v);
    return v;
  };
  return walk(body, value) as VMap;
}

/** A shell variable name for an input's name (which may hold `-`). */
function variable(name: string): string {
  return /^[0-9]/.test(name) ? `_${name.replace(/-/g, '_')}` : name.replace(/-/g, '_');
}

function walk(v: V, value: (name: string) => string): V {
  switch (v.kind) {
    case 'scalar': {
      if (typeof v.value !== 'string') return v;
      const r = interpolate(v.value, value);
      if (!r) return v;
      const out: VScalar = { ...v, value: r.text, item: undefined, written: { text: v.written?.text ?? v.value, from: v.written ? r.from.map((i) => v.written!.from[i]!) : r.from } };
      return out;
    }
    case 'seq': {
      const items = v.items.map((it) => walk(it, value));
      return items.some((it, i) => it !== v.items[i]) ? { ...v, items } : v;
    }
    case 'map': {
      const entries = new Map<string, VEntry>();
      let changed = false;
      for (const [k, e] of v.entries) {
        const key = interpolate(k, value)?.text ?? k;
        const val = walk(e.value, value);
        if (key !== k || val !== e.value) changed = true;
        entries.set(key, key === k && val === e.value ? e : { ...e, key, value: val });
      }
      return changed ? { ...v, entries } : v;
    }
    case 'ref':
      return v;
  }
}
