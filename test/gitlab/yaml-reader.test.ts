/**
 * The YAML reader against GitLab's own: each text is read by Ruby's Psych (libyaml, what GitLab runs) and
 * by ci-bgsafe, and the two must agree on the value, or both refuse the text.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { loadPipeline } from '../../src/gitlab/index.js';
import { lint } from '../../src/lint.js';
import { SourceFile } from '../../src/gitlab/source.js';
import { libyamlLexemes, parseFile, type V } from '../../src/gitlab/value.js';
import { InputError } from '../../src/types.js';

const PSYCH = `
require 'yaml'; require 'json'
begin
  puts JSON.generate(YAML.safe_load(STDIN.read, permitted_classes: [Symbol], aliases: true))
rescue Psych::SyntaxError => e
  puts JSON.generate({ 'psych-error' => [e.line, e.column] })
end`;

function psych(text: string): unknown {
  const r = spawnSync('ruby', ['-e', PSYCH], { input: text, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ruby failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function plain(v: V): unknown {
  if (v.kind === 'scalar') return v.value;
  if (v.kind === 'seq') return v.items.map(plain);
  if (v.kind === 'ref') return v.path.map(plain);
  return Object.fromEntries([...v.entries].map(([k, e]) => [k, plain(e.value)]));
}

/** ci-bgsafe's value of `text`, or the line of its error. */
function ours(text: string): unknown {
  try {
    const p = parseFile(new SourceFile('t.yml', text), { aliasExpansions: 0, diagnostics: [] });
    const v = p.docs[0]?.value;
    return v ? plain(v) : null;
  } catch (e) {
    if (e instanceof InputError) return { error: e.diagnostic.line };
    throw e;
  }
}

// Modelled on the conditions of large GitLab configurations: a multi-line quoted `if:` whose lines sit
// at the key's indentation, or under it.
const RULES = `.if-default-refs: &if-default-refs
  if: '
  $CI_PIPELINE_SOURCE != "merge_request_event"
  && (
    $CI_COMMIT_REF_NAME == $CI_DEFAULT_BRANCH
  || $CI_COMMIT_TAG
  )
  '

.if-docs-only: &if-docs-only
  if: "$CI_MERGE_REQUEST_LABELS =~ /docs/
  && $DOCS_ONLY == \\"true\\""

.rules:
  rules:
    - <<: *if-default-refs
      when: always
    - if: '$A ==
 "b"'
`;

const cases: Array<[string, string]> = [
  ['a single-quoted scalar whose lines sit at the key\'s indentation', RULES],
  ['a double-quoted scalar with an escaped quote, lines at column 0', 'job:\n  script:\n    - "echo \\"a\n  b\\"\n c"\n'],
  ['a quoted seq item at the seq\'s indentation', 'job:\n  script:\n  - "./server\n  --port 8080 &"\n  - make\n'],
  ['a quoted scalar in a flow map', 'j: {a: \'x\ny\', b: 1}\n'],
  ['blank and tab-indented lines in a quoted scalar', 'j:\n  s: "a\n\n\tb\n  c"\n'],
  ['a document marker inside a quoted scalar is an error for both', "j:\n  script: 'a\n---\n  b'\n"],
  ['an unclosed quote is an error for both', "j:\n  script: 'a\n  b\n"],
  ['a plain scalar under-indented is an error for both', 'j:\n  script:\n    - echo a\n    b\n'],
  ['duplicate keys: the last wins, in the first one\'s place', 'a: 1\nb: 2\na: 3\n'],
  ['several << merges in one map: each in order, replacing what came before', '.a: &a {s: a, t: a}\n.b: &b {s: b}\nj:\n  s: own\n  <<: *a\n  u: own\n  <<: *b\n'],
  ['a << list: the first map wins, and keys after it replace it', '.a: &a {s: a, t: a}\n.b: &b {s: b, u: b}\nj:\n  <<: [*a, *b]\n  t: own\n'],
  ['a quoted << is a merge too', ".a: &a {s: a}\nj:\n  '<<': *a\n"],
  ['an empty variables:', 'variables:\njob:\n  variables:\n  script: [x]\n'],
  ['jobs named like keywords of jobs', 'script:\n  script: [x]\nimage:\n  name: alpine\nrules:\n  script: [y]\n'],
  ['YAML 1.1 booleans, in any case', 'a: yes\nb: No\nc: ON\nd: off\ne: tRuE\nf: y\ng: n\n'],
];

describe('the YAML reader reads what GitLab (Psych, libyaml) reads, as it reads it', () => {
  it.each(cases)('%s', (_name, text) => {
    const theirs = psych(text) as Record<string, unknown> | null;
    const mine = ours(text);
    if (theirs && typeof theirs === 'object' && 'psych-error' in theirs) {
      expect(mine).toMatchObject({ error: expect.any(Number) });
    } else {
      expect(mine).toEqual(theirs);
    }
  });

  it('keeps the file\'s own text: the lexemes join to it', () => {
    const controls = /[\x02\x18\x1f]/g;
    for (const [, text] of cases) expect(libyamlLexemes(text).join('').replace(controls, '')).toBe(text);
  });

  it('places findings exactly after and inside quoted scalars read as libyaml reads them', async () => {
    const text = [
      RULES,
      'job:', // line 21
      '  tags: [shell]',
      '  rules:',
      "    - if: '$CI_COMMIT_TAG",
      "    || $FORCE'",
      '  script:',
      '  - "./mock-server',
      '  --port 8080 &"',
      '  - make test',
      '  - python3 -m http.server &',
      '',
    ].join('\n');
    const r = await lint(['-'], { stdin: { text, name: 'ci.yml' }, noConfig: true });
    expect(r.errors).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'BG001').map((f) => `${f.line}:${f.column}-${f.endLine}:${f.endColumn}`)).toEqual([
      '27:6-28:16',
      '30:5-30:29',
    ]);
  });

  it('takes as jobs the names GitLab takes as jobs: default: and workflow: with a script, spec:, types:', () => {
    const p = loadPipeline('ci.yml', {
      text: [
        'workflow:',
        '  rules: [{when: always}]',
        'default:',
        '  script: [echo default is a job here]',
        'spec:',
        '  script: [echo spec]',
        'types:',
        '  script: [echo types]',
        'image: alpine',
        'job:',
        '  inherit: {default: no}',
        '  script: [echo job]',
        '',
      ].join('\n'),
    });
    expect(p.jobs.map((j) => `${j.name}@${j.line}:${j.column} ${j.image ?? '-'}`)).toEqual([
      'default@3:1 alpine',
      'spec@5:1 alpine',
      'types@7:1 alpine',
      'job@10:1 -',
    ]);
  });
});
