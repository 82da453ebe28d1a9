/**
 * A program's facts put together from its items' facts (each item parsed once) must be the facts of
 * the program parsed whole: same commands, backgrounds, traps, functions, assignments, expansions and
 * bash-only syntax, at the same offsets, with the same text; and the analysis read from them (trap
 * handlers and the commands they run, stops, detaches, when each runs) must be the same. Every offset
 * points at its own text in the program, trap handlers' commands included. Checked on random item
 * lists, on every program of the fixture pipelines and of a benchmark pipeline, and through `lint`
 * where items depend on one another.
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { writePipeline } from '../../bench/generate.mjs';
import { loadPipeline } from '../../src/gitlab/index.js';
import { lint } from '../../src/lint.js';
import { analyseProgram, jobPrograms, programFacts, type ProgramAnalysis } from '../../src/shell/analysis.js';
import { composeFacts, standsAlone } from '../../src/shell/compose.js';
import { extractFacts, LIST_KINDS, nodeRange, type Cmd, type Facts } from '../../src/shell/facts/index.js';
import { initShellParser } from '../../src/shell/parser.js';
import { Parses } from '../../src/shell/parses.js';
import { buildProgram, type Program } from '../../src/shell/program.js';
import type { Stop } from '../../src/shell/stops.js';
import type { ScriptItem } from '../../src/types.js';

const NUM_RUNS = Number(process.env.CI_BGSAFE_PROPERTY_RUNS ?? 200);
const FIX = join(import.meta.dirname, '..', 'fixtures');

beforeAll(async () => {
  await initShellParser();
});

/** Everything the facts say, as plain data (nodes by type, text and offsets). */
function view(f: Facts): unknown {
  const cmd = (c: Cmd) => ({
    start: c.start, end: c.end, name: c.name, rawName: c.rawName, args: c.args, argStatic: c.argStatic,
    wrappers: c.wrappers, wrapperFlags: c.wrapperFlags, fn: c.fn, sub: c.sub, loop: c.loop,
    node: [c.node.type, c.node.text, c.node.parent?.type], argNodes: c.argNodes.map((n) => [n.text, nodeRange(c, n)]), argSpans: c.argSpans,
  });
  return {
    // every kind of fact, as it is (plain data), unless it holds nodes or commands (below)
    ...Object.fromEntries(LIST_KINDS.map((k) => [k, f[k]])),
    clean: f.clean,
    cmds: f.cmds.map(cmd),
    backgrounds: f.backgrounds.map((b) => ({
      start: b.start, end: b.end, amp: b.amp, stdout: b.stdout, stderr: b.stderr, pidVars: b.pidVars, fn: b.fn, sub: b.sub,
      loop: b.loop, node: [b.node.type, b.node.text, b.node.parent?.type], cmds: b.cmds.map(cmd),
    })),
    traps: f.traps.map((t) => ({ ...t, cmd: f.cmds.indexOf(t.cmd) })),
    sets: f.sets.map((s) => ({ ...s, cmd: f.cmds.indexOf(s.cmd) })),
    funcs: [...f.funcs.values()].map((fn) => [fn.name, fn.start, fn.end, fn.node.text, fn.body.text]),
    assignments: f.assignments.map((a) => ({ ...a, valueNode: a.valueNode?.text })),
  };
}

/** What the analysis of a program says, as plain data: commands by their offsets and text. */
function analysisView(a: ProgramAnalysis): unknown {
  const text = a.program.text;
  const cmd = (c: Cmd) => [c.start, c.end, c.name, c.args, c.fn, text.slice(c.start, c.end)];
  const stop = (s: Stop) => ({ cmd: cmd(s.cmd), kind: s.kind, broad: s.broad, unknown: s.unknown, vars: s.vars, bang: s.bang, jobspecs: s.jobspecs, names: s.names });
  return {
    handlers: a.handlers.map((h) => ({ trap: h.trap.cmd.start, cmds: h.cmds.map(cmd), own: [...h.own].map(cmd), stops: h.stops.map(stop), calls: h.calls })),
    cleanupTraps: a.cleanupTraps.map((h) => h.trap.cmd.start),
    flowStops: a.flowStops.map((s) => ({ at: s.at, stop: stop(s.stop) })),
    detaches: a.detaches.map(({ at, detach: d }) => ({ at, cmd: cmd(d.cmd), how: d.how, names: d.names, captureVar: d.captureVar, inGroup: d.inGroup, background: d.background?.start })),
  };
}

/** Every offset of the facts and of their analysis points at its own text in the program. */
function expectOffsetsInProgram(text: string, f: Facts, a: ProgramAnalysis): void {
  const at = (x: { start: number; end: number }) => text.slice(x.start, x.end);
  for (const c of f.cmds) {
    expect(at(c)).toBe(c.node.text);
    c.argNodes.forEach((n, i) => expect(at(c.argSpans[i]!)).toBe(n.text));
  }
  for (const b of f.backgrounds) {
    expect(at(b)).toBe(b.node.text);
    expect(text[b.amp]).toBe('&');
  }
  for (const fn of f.funcs.values()) expect(at(fn)).toBe(fn.node.text);
  for (const t of f.traps) for (const s of t.rawSignals) expect([s.text, `'${s.text}'`, `"${s.text}"`]).toContain(at(s));
  for (const h of a.handlers) {
    // a handler written as is (not one with escapes in double quotes): its commands are where it is written
    if (!text.startsWith(h.trap.handler!, h.trap.handlerStart)) continue;
    for (const c of h.own) expect(at(c)).toBe(c.node.text);
  }
}

function item(text: string): ScriptItem {
  return { text, file: 'ci.yml', key: text, scalar: { start: 0, end: 0, style: 'PLAIN' }, exact: false, offsetOf: () => 0, locate: () => ({ line: 1, column: 1 }) } as unknown as ScriptItem;
}

/**
 * Compares the composed facts of `program` and their analysis with those of the program parsed whole,
 * when every item is complete on its own ('composed'; else 'whole'). Frees its trees.
 */
function compareProgram(program: Program, vars: Record<string, string> = {}): 'composed' | 'whole' {
  const pieces = program.parts.map((p) => ({ facts: extractFacts(p.item.text), at: p.start }));
  const whole = extractFacts(program.text);
  const parses = new Parses();
  try {
    const wholeAnalysis = analyseProgram(program, vars, parses, whole);
    expectOffsetsInProgram(program.text, whole, wholeAnalysis);
    if (!pieces.every((p) => standsAlone(p.facts))) return 'whole';
    const composed = composeFacts(program.text, pieces);
    expect(view(composed)).toEqual(view(whole));
    const composedAnalysis = analyseProgram(program, vars, parses, composed);
    expect(analysisView(composedAnalysis)).toEqual(analysisView(wholeAnalysis));
    expectOffsetsInProgram(program.text, composed, composedAnalysis);
    return 'composed';
  } finally {
    parses.clear();
    whole.tree?.delete();
    for (const p of pieces) p.facts.tree?.delete();
  }
}

/** Statements that matter across items: a PID captured later, a function called later, a trap on it. */
const SNIPPETS = [
  './server --port 8080 &',
  'SERVER_PID=$!',
  'export SERVER_PID="$!"',
  'npm start >/dev/null 2>&1 & echo started',
  'nohup ./worker &',
  'setsid socat TCP-LISTEN:9000 - &',
  'CID=$(docker run -d postgres:16)',
  'docker rm -f "$CID"',
  'cleanup() { kill "$SERVER_PID" 2>/dev/null || true; docker rm -f "$CID"; }',
  'trap cleanup EXIT TERM',
  "trap 'kill %1' EXIT",
  'trap - EXIT',
  'set -Eeuo pipefail',
  'kill "$SERVER_PID"; wait "$SERVER_PID"',
  'pkill -f http.server',
  'sleep 5',
  'for i in 1 2 3; do sleep "$i" & done',
  '( tail -f /dev/null & )',
  'sleep 60 & disown',
  'read -r NAME < name.txt',
  'arr=(a b); [[ -n "${arr[0]}" ]] && echo "${arr[@]}"',
  'cat > conf <<EOF\nport=$PORT\nEOF',
  'cmd |& tee log',
  'echo "$(date +%s) ünïcödé ✓" # a comment',
  'if [ -n "$CI" ]; then ./srv & fi',
  'sudo -E openvpn --config vpn.conf &',
  'timeout 30s nohup env A=1 B=2 ./srv --port "$PORT" &',
  'stop() { kill -TERM -- "-$SERVER_PID"; wait "$SERVER_PID"; }',
  'trap stop INT TERM',
  'trap \'stop; docker compose down; pkill -f "http.server"\' EXIT',
  'trap "kill \\$SERVER_PID" ERR',
  'set -o errtrace; echo "$BASHPID"',
  'docker run -d --name db -p 5432:5432 postgres:16',
  'docker compose up -d && docker compose logs -f web &',
  'ssh -fN -L 5432:db:5432 bastion',
  'kill %1 %2; wait',
  'local v; export W; declare -a list=(1 2)',
  'exec 3>&1 >log.txt 2>&1',
  'cmd &>> log',
  'diff <(sort a) <(sort b) | head',
  'jobs -p | xargs -r kill',
];

describe('composed facts', () => {
  it('equal the facts of the program parsed whole, for random item lists (items not complete on their own fall back)', () => {
    const text = fc.oneof(
      { arbitrary: fc.constantFrom(...SNIPPETS), weight: 6 },
      { arbitrary: fc.constantFrom('if true; then', 'fi', 'echo a \\', 'cat <<EOF', 'EOF', 'npm start |', 'x &&', 'f() {', '}', 'echo $\\'), weight: 1 },
      { arbitrary: fc.string({ unit: fc.constantFrom('a', ' ', '&', ';', '|', '$', '(', ')', '"', "'", '\\', '{', '}', '\n', '#', '!'), maxLength: 16 }), weight: 1 },
    );
    let composed = 0;
    fc.assert(
      fc.property(fc.array(text, { minLength: 2, maxLength: 7 }), (texts) => {
        // tree-sitter-bash joins a line that starts with `\` to the statement before (`sleep 5⏎\a` reads
        // as `sleep 5 \a`); bash runs it as a command of its own, as the item read alone says
        fc.pre(!texts.some((t, i) => i > 0 && /^\s*\\/.test(t)));
        const program = buildProgram([['script', texts.map(item)]]);
        if (compareProgram(program) === 'composed') composed++;
      }),
      { numRuns: NUM_RUNS },
    );
    // the property is about composed programs: most random lists must be ones
    expect(composed).toBeGreaterThan(NUM_RUNS / 3);
  });

  it("equal the facts of every fixture pipeline's and a benchmark pipeline's programs parsed whole", () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const e of readdirSync(d)) {
        const p = join(d, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.ya?ml$/.test(e) && !p.includes(`${join('fixtures', 'config')}`)) files.push(p);
      }
    };
    walk(FIX);
    const pipelines = files.flatMap((f) => {
      try {
        return [loadPipeline(f)];
      } catch {
        return []; // the bad-input fixtures
      }
    });
    pipelines.push(loadPipeline(writePipeline(mkdtempSync(join(tmpdir(), 'ci-bgsafe-compose-')), 100)));
    const counts = { composed: 0, whole: 0 };
    for (const p of pipelines) {
      for (const job of p.jobs) {
        const { main, after } = jobPrograms(job);
        for (const program of [main, after]) if (program.parts.length > 1) counts[compareProgram(program)]++;
      }
    }
    expect(counts.composed).toBeGreaterThan(150);
    expect(counts.whole).toBeGreaterThan(0);
  });

  it('is what the analysis reads: an item not complete on its own makes the program read whole', () => {
    const split = buildProgram([['script', ['if true; then', './srv &', 'fi'].map(item)]]);
    const parses = new Parses();
    const facts = programFacts(split, parses);
    expect(facts.tree).toBeDefined(); // the program's own parse
    expect(facts.backgrounds.map((b) => split.text.slice(b.start, b.amp + 1))).toEqual(['./srv &']);
    const parts = buildProgram([['script', ['./srv &', 'P=$!', "trap 'kill $P' EXIT"].map(item)]]);
    const composed = programFacts(parts, parses);
    expect(composed.tree).toBeUndefined(); // made of the items' parses
    expect(composed.backgrounds[0]!.pidVars).toEqual(['P']);
    expect(composed.traps[0]!.handlerStart).toBe(parts.text.indexOf('kill'));
    parses.clear();
  });
});

describe('lint across items', () => {
  it('links a PID captured in a later item, a function defined in before_script and a trap in a third item', async () => {
    const text = [
      'default:',
      '  before_script:',
      '    - cleanup() { kill "$SERVER_PID" 2>/dev/null || true; }',
      'a:',
      '  tags: [shell]',
      '  script:',
      '    - ./server > server.log 2>&1 &',
      '    - SERVER_PID=$!',
      '    - npm ci',
      '    - trap cleanup EXIT TERM',
      '    - npm test',
      'b:',
      '  tags: [shell]',
      '  script:',
      '    - ./server > server.log 2>&1 &',
      '    - npm test',
      'c:',
      '  tags: [shell]',
      '  script:',
      '    - if true; then',
      '    - ./other > other.log 2>&1 &',
      '    - fi',
      '',
    ].join('\n');
    const r = await lint(['-'], { noConfig: true, stdin: { text, name: 'ci.yml' } });
    expect(r.errors).toEqual([]);
    // a: the trap set after the start (BG005) but it stops the server; b: nothing stops it; c: read whole
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} [${f.jobs.join(',')}]`)).toEqual([
      '7:7 BG005 [a]',
      '15:7 BG001 [b]',
      '21:7 BG001 [c]',
    ]);
  });
});
