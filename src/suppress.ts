/**
 * Inline suppressions, written as `#` comments anywhere in a file (YAML comments, or shell
 * comments at the end of a script line):
 *
 *   # ci-bgsafe-disable-line BG001, BG002      findings that start on this line
 *   # ci-bgsafe-disable-next-line BG001 -- why findings on the next non-blank, non-comment line
 *   # ci-bgsafe-disable BG001                  the whole file (no ids: every rule)
 *
 * Rules are named by id or name; `--` starts a free-text reason. Pure: returns data.
 */
import type { Diagnostic, Finding } from './types.js';
import type { RuleMeta } from './rules/types.js';

export type DirectiveKind = 'disable' | 'disable-line' | 'disable-next-line';

export interface Directive {
  kind: DirectiveKind;
  file: string;
  /** Position of the `#`. */
  line: number;
  column: number;
  /** The line the directive applies to (`disable`: 0, the whole file). */
  targetLine: number;
  /** Rule ids named (resolved from ids or names); empty: every rule. */
  rules: { id: string; token: string; column: number }[];
  /** Tokens that name no known rule. */
  unknown: { token: string; column: number }[];
  reason?: string;
}

const DIRECTIVE = /(^|\s)#\s*ci-bgsafe-(disable-next-line|disable-line|disable)(?=\s|$)(.*)$/;

/** Every suppression directive in `text`. */
export function parseDirectives(file: string, text: string, rules: RuleMeta[]): Directive[] {
  if (!text.includes('ci-bgsafe-disable')) return [];
  const byKey = new Map<string, string>();
  for (const r of rules) {
    byKey.set(r.id.toLowerCase(), r.id);
    byKey.set(r.name.toLowerCase(), r.id);
  }
  const lines = text.split(/\r?\n|\r/);
  const out: Directive[] = [];
  lines.forEach((src, i) => {
    const m = DIRECTIVE.exec(src);
    if (!m) return;
    const hash = m.index + m[1].length;
    const kind = m[2] as DirectiveKind;
    const restStart = m.index + m[0].length - m[3].length;
    let rest = m[3];
    let reason: string | undefined;
    const sep = rest.search(/(^|\s)--(\s|$)/);
    if (sep >= 0) {
      reason = rest.slice(sep).replace(/^\s*--/, '').trim() || undefined;
      rest = rest.slice(0, sep);
    }
    const named: Directive['rules'] = [];
    const unknown: Directive['unknown'] = [];
    for (const t of rest.matchAll(/[^\s,]+/g)) {
      const column = restStart + (t.index ?? 0) + 1;
      const id = byKey.get(t[0].toLowerCase());
      if (id) named.push({ id, token: t[0], column });
      else unknown.push({ token: t[0], column });
    }
    let targetLine = 0;
    if (kind === 'disable-line') targetLine = i + 1;
    if (kind === 'disable-next-line') {
      targetLine = -1;
      for (let j = i + 1; j < lines.length; j++) {
        const t = lines[j].trim();
        if (t !== '' && !t.startsWith('#')) {
          targetLine = j + 1;
          break;
        }
      }
    }
    out.push({ kind, file, line: i + 1, column: hash + 1, targetLine, rules: named, unknown, ...(reason ? { reason } : {}) });
  });
  return out;
}

/**
 * Drops the findings that a directive in their file suppresses. Returns the findings kept and
 * diagnostics about the directives: a warning for a rule that does not exist
 * (`unknown-rule-in-suppression`), an info note for a directive (or one rule of it) that
 * suppressed nothing (`unused-suppression`).
 */
export function applySuppressions(
  findings: Finding[],
  sources: Map<string, string>,
  rules: RuleMeta[],
): { findings: Finding[]; unused: Diagnostic[] } {
  const directives = new Map<string, Directive[]>();
  // Per file: the whole-file directives, and the line directives by the line they apply to.
  const index = new Map<string, { file: Directive[]; byLine: Map<number, Directive[]> }>();
  for (const [file, text] of sources) {
    const list = parseDirectives(file, text, rules);
    directives.set(file, list);
    const entry = { file: [] as Directive[], byLine: new Map<number, Directive[]>() };
    for (const d of list) {
      if (d.kind === 'disable') entry.file.push(d);
      else entry.byLine.set(d.targetLine, [...(entry.byLine.get(d.targetLine) ?? []), d]);
    }
    index.set(file, entry);
  }

  // For every directive: the rule ids it has suppressed (or '*' for a directive without ids).
  const used = new Map<Directive, Set<string>>();
  const kept = findings.filter((f) => {
    let suppressed = false;
    const entry = index.get(f.file);
    for (const d of entry ? [...entry.file, ...(entry.byLine.get(f.line) ?? [])] : []) {
      if (d.rules.length === 0 && d.unknown.length > 0) continue; // only unknown names: suppress nothing
      const hit = d.rules.length === 0 ? '*' : d.rules.some((r) => r.id === f.ruleId) ? f.ruleId : undefined;
      if (hit === undefined) continue;
      suppressed = true;
      let set = used.get(d);
      if (!set) used.set(d, (set = new Set()));
      set.add(hit);
    }
    return !suppressed;
  });

  const diagnostics: Diagnostic[] = [];
  for (const list of directives.values()) {
    for (const d of list) {
      const what = `ci-bgsafe-${d.kind}`;
      for (const u of d.unknown) {
        diagnostics.push({
          severity: 'warning',
          code: 'unknown-rule-in-suppression',
          message: `unknown rule "${u.token}" in ${what} comment`,
          file: d.file,
          line: d.line,
          column: u.column,
        });
      }
      const set = used.get(d);
      if (d.rules.length === 0) {
        if (!set && d.unknown.length === 0) {
          diagnostics.push(unusedNote(d, `unused ${what}: no problem is reported ${where(d)}`, d.column));
        }
        continue;
      }
      const seen = new Set<string>();
      for (const r of d.rules) {
        if (seen.has(r.id) || set?.has(r.id)) continue;
        seen.add(r.id);
        diagnostics.push(unusedNote(d, `unused ${what}: ${r.token} is not reported ${where(d)}`, r.column));
      }
    }
  }
  diagnostics.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column));
  return { findings: kept, unused: diagnostics };
}

function where(d: Directive): string {
  if (d.kind === 'disable') return 'in this file';
  if (d.kind === 'disable-line') return 'on this line';
  return d.targetLine > 0 ? `on line ${d.targetLine}` : 'after it (no next line)';
}

function unusedNote(d: Directive, message: string, column: number): Diagnostic {
  return { severity: 'info', code: 'unused-suppression', message, file: d.file, line: d.line, column };
}
