/**
 * Fixing a text in memory: the rules' fixes applied, each candidate re-linted; a fix is kept only when
 * the YAML still loads, its finding is gone and no rule reports more than before. Reads and writes no
 * file (src/fix/index.ts does, for `--fix`).
 */
import type { Config } from '../config/index.js';
import { lintFile, type LintOptions } from '../lint.js';
import { RULES } from '../rules/index.js';
import { applySuppressions } from '../suppress.js';
import type { Diagnostic, Finding, Fix, TextEdit } from '../types.js';
import { fixEdits as withSupport } from './library.js';

export interface FixedFinding {
  ruleId: string;
  line: number;
  column: number;
  jobs: string[];
}

interface Linted {
  findings: Finding[];
  errors: Diagnostic[];
}

/** Lints a candidate text of `file` in memory, with suppression comments applied. */
function lintText(file: string, text: string, config: Config, options: LintOptions): Linted {
  const r = lintFile(file, config, options, text);
  const sources = new Map(r.pipeline?.sources ?? []);
  sources.set(file, text);
  const metas = (options.rules ?? RULES).map((x) => x.meta);
  const findings = applySuppressions(r.findings, sources, metas).findings.filter((f) => f.file === file);
  return { findings, errors: r.errors };
}

/** Applies edits (in offsets of `text`); undefined when two of them overlap or one is out of range. */
export function applyEdits(text: string, edits: TextEdit[]): string | undefined {
  const sorted = dedupe(edits).sort((a, b) => a.range[0] - b.range[0] || a.range[1] - b.range[1]);
  for (let i = 1; i < sorted.length; i++) {
    const [ps, pe] = sorted[i - 1]!.range;
    const [cs, ce] = sorted[i]!.range;
    // Two insertions at one place would depend on their order.
    if (cs < pe || (cs === ps && ps === pe && cs === ce)) return undefined;
  }
  let out = text;
  for (const { range: [s, e], text: t } of sorted.reverse()) {
    if (s < 0 || e > text.length || e < s) return undefined;
    out = out.slice(0, s) + t + out.slice(e);
  }
  return out;
}

function dedupe(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => {
    const k = `${e.file}|${e.range[0]}|${e.range[1]}|${e.text}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The edits of `fix`, with the library's or the guard's where it needs it; undefined when that cannot be added. */
function fixEdits(file: string, text: string, fix: Fix, config: Config): TextEdit[] | undefined {
  return withSupport(file, text, fix, config.servicesComponent);
}

/** The fix `--fix` makes of a finding: the job guard where the configuration asks for that style and the finding offers it. */
function chosen(f: Finding, config: Config): Fix | undefined {
  return (config.fixStyle === 'guard' ? f.alternative : undefined) ?? f.fix;
}

/** The text of `file` with `fix` applied, the library or the guard added where it needs it; undefined when that cannot be done. */
function applyFix(file: string, text: string, fix: Fix, config: Config): string | undefined {
  const edits = fixEdits(file, text, fix, config);
  return edits && applyEdits(text, edits);
}

/** Findings by rule; `serious`: only those above info. */
function counts(findings: Finding[], serious = false): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of findings) if (!serious || f.severity !== 'info') m.set(f.ruleId, (m.get(f.ruleId) ?? 0) + 1);
  return m;
}

/**
 * Whether `after` is an improvement on `before` for the fixes of `fixed` together: each gone (or, for
 * the job guard, become an info that the guard stops the process), and no rule reports more, nor more
 * above info.
 */
function betterAll(before: Linted, after: Linted, fixed: Finding[]): boolean {
  if (after.errors.length > before.errors.length) return false;
  const b = counts(before.findings);
  const a = counts(after.findings);
  const bs = counts(before.findings, true);
  const as = counts(after.findings, true);
  for (const [rule, n] of a) if (n > (b.get(rule) ?? 0)) return false;
  for (const [rule, n] of as) if (n > (bs.get(rule) ?? 0)) return false;
  const fewer = (x: Map<string, number>, y: Map<string, number>, rule: string) => (x.get(rule) ?? 0) - (y.get(rule) ?? 0);
  for (const [rule, n] of counts(fixed)) if (fewer(b, a, rule) < n && fewer(bs, as, rule) < n) return false;
  return true;
}

/**
 * Applies at once the fixes, one per job, that overlap none picked before them, and keeps the result when it is an
 * improvement for all of them; when it is not, the first half of them, else the second half, down to
 * single fixes. A single fix that is no improvement is put in `refused` and not picked again here (the
 * one-by-one rounds try it again). A large file's many independent fixes cost a few re-lints, not one
 * each. Undefined when nothing was applied.
 */
function fixTogether(file: string, text: string, current: Linted, config: Config, options: LintOptions, room: number, refused: Set<string>) {
  const picked: Array<{ finding: Finding; edits: TextEdit[] }> = [];
  let all: TextEdit[] = [];
  // One fix per job: a job's next fix is worked out again on its fixed text, as one by one.
  const jobs = new Set<string>();
  for (const f of candidates(current, file, config)) {
    if (picked.length >= room) break;
    if (refused.has(shapeKey(f, config)) || f.jobs.some((j) => jobs.has(j))) continue;
    // its jobs wait for the next pass whether this fix is picked or not
    for (const j of f.jobs) jobs.add(j);
    const edits = fixEdits(file, text, chosen(f, config)!, config);
    if (!edits || applyEdits(text, [...all, ...edits]) === undefined) continue;
    picked.push({ finding: f, edits });
    all = [...all, ...edits];
  }
  const attempt = (group: typeof picked): { text: string; after: Linted; picked: Finding[] } | undefined => {
    if (!group.length) return undefined;
    const candidate = applyEdits(text, group.flatMap((g) => g.edits))!;
    const after = lintText(file, candidate, config, options);
    const fixed = group.map((g) => g.finding);
    if (betterAll(current, after, fixed)) return { text: candidate, after, picked: fixed };
    if (group.length === 1) {
      refused.add(shapeKey(group[0]!.finding, config));
      return undefined;
    }
    const half = Math.ceil(group.length / 2);
    return attempt(group.slice(0, half)) ?? attempt(group.slice(half));
  };
  return picked.length > 1 ? attempt(picked) : undefined;
}

/** A fix by what it does, not where (its places move as other fixes are applied). */
function shapeKey(f: Finding, config: Config): string {
  return `${f.ruleId}|${f.message}|${chosen(f, config)!.edits.map((e) => e.text).join('|')}`;
}

/** Whether `after` is an improvement on `before` for the fix of `finding` (see `betterAll`). */
function better(before: Linted, after: Linted, finding: Finding): boolean {
  return betterAll(before, after, [finding]);
}

function summary(f: Finding): FixedFinding {
  return { ruleId: f.ruleId, line: f.line, column: f.column, jobs: [...f.jobs] };
}

/**
 * Fixes one text, one finding at a time, re-linting after each fix, and at most `maxFixes` of them. A fix
 * that does not improve the text is refused; the refused ones are tried again once the others are done
 * (another fix may have made them an improvement), until a round applies nothing: --fix ends at a fixed
 * point, so a second --fix changes nothing.
 */
export function fixText(
  file: string,
  text: string,
  config: Config,
  options: LintOptions,
  maxFixes = 100,
): { text: string; applied: FixedFinding[]; rejected: FixedFinding[] } {
  const applied: FixedFinding[] = [];
  // Refused fixes, by place; one that a later round applies is no longer refused.
  const rejected = new Map<string, FixedFinding>();
  const place = (f: FixedFinding) => `${f.ruleId}|${f.line}|${f.column}`;
  let current = lintText(file, text, config, options);
  const refusedTogether = new Set<string>();
  for (let pass = 0; pass < 20 && applied.length < maxFixes; pass++) {
    const together = fixTogether(file, text, current, config, options, maxFixes - applied.length, refusedTogether);
    if (!together) break;
    applied.push(...together.picked.map(summary));
    text = together.text;
    current = together.after;
  }
  for (let round = applied.length; ; round = applied.length) {
    const tried = new Set<string>();
    let refused = 0;
    while (applied.length < maxFixes) {
      const next = candidates(current, file, config).find((f) => !tried.has(fixKey(f, config)));
      if (!next) break;
      tried.add(fixKey(next, config));
      const candidate = applyFix(file, text, chosen(next, config)!, config);
      const after = candidate === undefined ? undefined : lintText(file, candidate, config, options);
      if (candidate === undefined || !after || !better(current, after, next)) {
        rejected.set(place(summary(next)), summary(next));
        refused++;
        continue;
      }
      rejected.delete(place(summary(next)));
      applied.push(summary(next));
      text = candidate;
      current = after;
    }
    if (applied.length === round || applied.length >= maxFixes || !refused) break;
  }
  return { text, applied, rejected: [...rejected.values()] };
}

/** The findings whose fix `--fix` can make in `file`, in the order it tries them. */
function candidates(current: Linted, file: string, config: Config): Finding[] {
  return current.findings.filter((f) => chosen(f, config)?.edits.every((e) => e.file === file)).sort((a, b) => byPriority(a, b, config));
}

/**
 * Fixes that add the job guard or start processes through the library first (they settle the same
 * statements' output too, where a redirect would stand in their way), then in the order of the file.
 */
function byPriority(a: Finding, b: Finding, config: Config): number {
  const whole = (f: Finding) => Number(!(chosen(f, config)?.guard || chosen(f, config)?.library));
  return whole(a) - whole(b) || a.line - b.line || a.column - b.column;
}

function fixKey(f: Finding, config: Config): string {
  return `${f.ruleId}|${JSON.stringify(chosen(f, config))}`;
}

