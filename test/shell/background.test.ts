import { beforeAll, describe, expect, it } from 'vitest';
import { initShellParser } from '../../src/shell/parser.js';
import { extractFacts } from '../../src/shell/facts/index.js';

beforeAll(async () => {
  await initShellParser();
});

/** The background statements of a snippet, as `text@offset`. */
function backgrounds(src: string): string[] {
  return extractFacts(src).backgrounds.map((b) => `${src.slice(b.start, b.end)}@${b.start}`);
}

// [snippet, expected background statements as `text@offset`]
const CASES: Array<[string, string[]]> = [
  ['sleep 10 &', ['sleep 10@0']],
  ['sleep 10&', ['sleep 10@0']],
  ['apache2-foreground&', ['apache2-foreground@0']],
  ['npm start & wait-on http://localhost:3000', ['npm start@0']],
  ['a && b', []],
  ['a && b &', ['a && b@0']],
  ['a || b & c', ['a || b@0']],
  ['echo "x & y"', []],
  ["echo 'x & y'", []],
  ['echo x\\&y', []],
  ['curl "http://h/?a=1&b=2"', []],
  ['curl http://h/?a=1\\&b=2', []],
  ['cmd &> out.log', []],
  ['cmd &>> out.log', []],
  ['cmd >&2', []],
  ['cmd 2>&1', []],
  ['cmd 2>&1 | tee log', []],
  ['cmd |& tee log', []],
  ['echo $((a & b))', []],
  ['x=$(( 6 & 3 ))', []],
  ['echo ${v//&/x}', []],
  ['# start it & forget\necho hi', []],
  ['echo hi # trailing & comment', []],
  ['cat <<EOF\nserver &\nEOF', []],
  ["cat <<'EOF'\nserver &\nEOF\nreal &", ['real@25']],
  ['(cd dir && ./server) &', ['(cd dir && ./server)@0']],
  ['{ ./server; } &', ['{ ./server; }@0']],
  ['x | y &', ['x | y@0']],
  ['for i in 1 2; do worker $i & done; wait', ['worker $i@17']],
  ['while true; do poll; sleep 1; done &', ['while true; do poll; sleep 1; done@0']],
  ['if true; then\n  srv &\nfi', ['srv@16']],
  ['start() {\n  srv --port 1 &\n}', ['srv --port 1@12']],
  ['srv > /dev/null 2>&1 &', ['srv > /dev/null 2>&1@0']],
  ['sudo openfortivpn -c x.conf > /dev/null & sleep 5', ['sudo openfortivpn -c x.conf > /dev/null@0']],
  ['a & b & c', ['a@0', 'b@4']],
  ['case $x in a) srv & ;; esac', ['srv@14']],
  ['echo "$(srv &)"', ['srv@8']],
  ['ssh host "srv &"', []],
  ['[[ a == b ]] && echo "&"', []],
  ['trap "kill %1 &" EXIT', []],
];

describe('background statements', () => {
  it.each(CASES)('%j', (src, expected) => {
    expect(backgrounds(src)).toEqual(expected);
  });
  it('has at least 30 snippets', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });
});

describe('output streams of a background statement', () => {
  const streams = (src: string) => {
    const b = extractFacts(src).backgrounds[0]!;
    return `${b.stdout}/${b.stderr}`;
  };
  it.each([
    ['srv &', 'job/job'],
    ['srv >/dev/null &', 'null/job'],
    ['srv 2>&1 >/dev/null &', 'null/job'],
    ['srv >/dev/null 2>&1 &', 'null/null'],
    ['srv &>log &', 'file/file'],
    ['srv >log 2>err &', 'file/file'],
    ['srv >&2 2>/dev/null &', 'job/null'],
    ['nohup srv &', 'job/job'],
    ['srv 2>&1 | tee log &', 'job/job'],
    ['srv 2>&1 | tee log >/dev/null &', 'null/job'],
    ['srv >&- 2>&- &', 'closed/closed'],
  ])('%s -> %s', (src, expected) => {
    expect(streams(src)).toBe(expected);
  });
});

describe('traps, set options, commands', () => {
  it('reads trap signals by name and number', () => {
    const f = extractFacts("cleanup() { kill $P; }\ntrap cleanup 1 2 3 6 ERR\ntrap 'rm -f x' EXIT SIGTERM 0\ntrap - INT");
    expect(f.traps.map((t) => [t.action, t.handler, t.signals.join(' ')])).toEqual([
      ['set', 'cleanup', 'HUP INT QUIT ABRT ERR'],
      ['set', 'rm -f x', 'EXIT TERM EXIT'],
      ['reset', undefined, 'INT'],
    ]);
  });
  it('reads combined set flags', () => {
    const f = extractFacts('set -Eeo pipefail; set +e; set -o errtrace');
    expect(f.sets.map((s) => [s.enable, s.disable])).toEqual([
      [['errtrace', 'errexit', 'pipefail'], []],
      [[], ['errexit']],
      [['errtrace'], []],
    ]);
  });
  it('peels wrappers from command names', () => {
    const f = extractFacts('sudo -E nohup setsid env A=1 openfortivpn -c x &');
    const c = f.backgrounds[0]!.cmds[0]!;
    expect([c.wrappers, c.name, c.args]).toEqual([['sudo', 'nohup', 'setsid', 'env'], 'openfortivpn', ['-c', 'x']]);
  });
  it('links PID captures to the background statement', () => {
    const f = extractFacts('a & A=$!\nb &\nB="$!"; echo $A');
    expect(f.backgrounds.map((b) => b.pidVars)).toEqual([['A'], ['B']]);
  });
  it('reports parse problems instead of failing', () => {
    const f = extractFacts('if true; then\n  srv &');
    expect(f.problems.length).toBeGreaterThan(0);
  });
});
