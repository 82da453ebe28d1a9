/**
 * The real-world regression set: pipelines modelled on public GitLab CI/CD configurations, each file
 * carrying a careful reviewer's verdict inline, on the line it is about:
 *
 *   `# expect: BG001 BG009`   the reviewer reports these here, and so does ci-bgsafe;
 *   `# missed: BG011`         the reviewer reports this here, ci-bgsafe does not (yet);
 *   `# false-alarm: BG008`    ci-bgsafe reports this here, the reviewer would not.
 *
 * Each fixture must be reported exactly as its markers say (every `expect` and `false-alarm`, nothing
 * else), so the markers are a measurement of the linter, not a wish: recall is expect / (expect + missed),
 * false alarms are counted per 30 files. A fixture is a `.yml` file, or a folder holding a
 * `.gitlab-ci.yml` and the repository scripts its jobs run.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../../src/lint.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'realworld');

type Kind = 'expect' | 'missed' | 'false-alarm';
interface Marker {
  kind: Kind;
  /** `file:line RULE`, the file relative to ROOT. */
  at: string;
}

/** The markers of one file: `# expect: A B missed: C` on the line they are about. */
export function markers(file: string, text: string): Marker[] {
  const out: Marker[] = [];
  text.split('\n').forEach((line, i) => {
    const m = /#\s*((?:expect|missed|false-alarm):.*)$/.exec(line);
    if (!m) return;
    let kind: Kind | undefined;
    for (const word of m[1]!.trim().split(/\s+/)) {
      if (word === 'expect:' || word === 'missed:' || word === 'false-alarm:') kind = word.slice(0, -1) as Kind;
      else if (kind && /^BG\d{3}$/.test(word)) out.push({ kind, at: `${file}:${i + 1} ${word}` });
      else throw new Error(`${file}:${i + 1}: cannot read the marker word "${word}"`);
    }
  });
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Each fixture: its entry file and every file whose markers belong to it. */
function fixtures(): Array<{ name: string; entry: string; files: string[] }> {
  return readdirSync(ROOT)
    .sort()
    .flatMap((name) => {
      const p = join(ROOT, name);
      if (statSync(p).isDirectory()) return [{ name, entry: join(p, '.gitlab-ci.yml'), files: filesUnder(p) }];
      return name.endsWith('.yml') ? [{ name, entry: p, files: [p] }] : [];
    });
}

const FIXTURES = fixtures();
const totals = { expect: 0, missed: 0, 'false-alarm': 0 };

describe('real-world regression set', () => {
  it('has at least 30 fixtures', () => {
    expect(FIXTURES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(FIXTURES.map((f) => [f.name, f] as const))('%s is reported exactly as its markers say', async (_name, f) => {
    const all = f.files.flatMap((file) => markers(relative(ROOT, file), readFileSync(file, 'utf8')));
    for (const m of all) totals[m.kind]++;
    const report = await lint([f.entry], { cwd: ROOT, noConfig: true });
    expect(report.errors).toEqual([]);
    const actual = report.findings.map((x) => `${relative(ROOT, x.file)}:${x.line} ${x.ruleId}`).sort();
    const wanted = all.filter((m) => m.kind !== 'missed').map((m) => m.at).sort();
    expect(actual).toEqual(wanted);
  });

  afterAll(() => {
    const found = totals.expect;
    const expected = totals.expect + totals.missed;
    const perThirty = (totals['false-alarm'] * 30) / FIXTURES.length;
    console.log(
      `real-world set: ${FIXTURES.length} fixtures; reviewer findings reported ${found}/${expected} ` +
        `(${((100 * found) / Math.max(expected, 1)).toFixed(1)}%); false alarms ${totals['false-alarm']} ` +
        `(${perThirty.toFixed(2)} per 30 files)`,
    );
  });
});
