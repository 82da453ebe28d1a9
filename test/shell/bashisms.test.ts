/**
 * The table of bash-only constructs: the facts walk finds each construct in its example, and the
 * shells the table says run it as bash does are those that do, run for real (bash, busybox sh, dash).
 */
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSTRUCTS, extractFacts, type Shell } from '../../src/shell/facts/index.js';
import { initShellParser } from '../../src/shell/parser.js';

beforeAll(async () => {
  await initShellParser();
});

const SHELLS: Record<Shell, string[]> = { bash: ['bash', '-c'], ash: ['busybox', 'sh', '-c'], dash: ['dash', '-c'] };

function run(shell: Shell, script: string): string {
  const [cmd, ...args] = SHELLS[shell];
  const r = spawnSync(cmd!, [...args, script], { encoding: 'utf8', timeout: 10_000 });
  if (r.error) throw r.error;
  return r.stdout.trim();
}

describe('bash-only constructs', () => {
  for (const c of CONSTRUCTS) {
    it(`${c.what}: found in \`${c.example}\`, and run as bash does by ${c.runs.join(', ')} only`, () => {
      const f = extractFacts(c.example);
      try {
        expect(f.bashisms.map((b) => b.what)).toContain(c.what);
      } finally {
        f.tree?.delete();
      }
      const runs = (Object.keys(SHELLS) as Shell[]).filter((s) => run(s, c.example) === 'ok');
      expect(runs).toEqual(c.runs);
    });
  }

  it('are not found in the POSIX forms of the same scripts', () => {
    const f = extractFacts('cat "$f"; [ a = a ] && echo ok; a=ok; echo "$a" >/dev/null 2>&1; set -e; echo "$$"');
    try {
      expect(f.bashisms).toEqual([]);
    } finally {
      f.tree?.delete();
    }
  });
});
