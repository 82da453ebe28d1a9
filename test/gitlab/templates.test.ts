import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatJson } from '../../src/format/index.js';
import validateReport from '../../src/generated/report.validate.js';
import { lint } from '../../src/lint.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bgsafe-tpl-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function lintText(name: string, text: string) {
  const dir = fs.mkdtempSync(path.join(tmp, 'case-'));
  fs.mkdirSync(path.join(dir, '.git'));
  fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
  fs.writeFileSync(path.join(dir, name), text);
  return lint([path.join(dir, name)], { cwd: dir, noConfig: true });
}

// A shared template file, as company template projects and `.gitlab/ci/` folders hold them: nothing in
// it extends its hidden jobs; other files and projects do.
const SHARED = `.start-redis:
  tags: [shell]
  before_script:
    - redis-server --port 6380 &
    - sleep 2

.e2e-base:
  extends: .start-redis
  script:
    - npm run e2e

.scripts:
  start-mock:
    - ./mock-api --port 9000 &
    - export MOCK_PID=$!
  stop-mock:
    - kill "$MOCK_PID"

.cache-patterns:
  - "{,ee/}app/**/*"
  - "**/*.{yml,yaml}{,.*}"
  - "foo(bar"

.if-default: &if-default
  if: '$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH'
`;

describe('templates no job reaches are analysed', () => {
  it('a hidden job and a list of commands under a hidden key: findings name the template, at their line:col', async () => {
    const r = await lintText('.gitlab/ci/shared.gitlab-ci.yml', SHARED);
    expect(r.errors).toEqual([]);
    const found = r.findings.filter((f) => f.ruleId === 'BG001');
    expect(found.map((f) => `${f.line}:${f.column} ${f.template} [${f.jobs}]`)).toEqual([
      '4:7 .start-redis []',
      '14:7 !reference [.scripts, start-mock] []',
    ]);
    expect(found[0]!.message).toMatch(/^in template \.start-redis: `redis-server` runs in the background .* A job that uses the template may stop the process itself\.$/);
    expect(found[1]!.message).toMatch(/^in template !reference \[\.scripts, start-mock\]: .* A job that runs these commands may stop the process itself\.$/);
    // a list of file patterns is read, but what bash cannot parse in it is no note
    expect(r.notes.filter((n) => n.code === 'not-fully-analysed')).toEqual([]);
    // the JSON report carries the template and validates against its schema
    const json = JSON.parse(formatJson(r));
    expect(json.findings.find((f: { line: number }) => f.line === 4).template).toBe('.start-redis');
    expect(validateReport(json), JSON.stringify(validateReport.errors)).toBe(true);
  });

  it('a template a job reaches is the job\'s: its lines are reported with the job, and only once', async () => {
    const r = await lintText(
      '.gitlab-ci.yml',
      `${SHARED}
e2e:
  extends: .e2e-base
  script:
    - !reference [.scripts, start-mock]
    - npm run e2e
`,
    );
    expect(r.findings.filter((f) => f.ruleId === 'BG001').map((f) => `${f.line}:${f.column} ${f.template ?? '-'} [${f.jobs}]`)).toEqual([
      '4:7 - [e2e]',
      '14:7 - [e2e]',
    ]);
  });

  it('a template whose trap stops the process has no finding; an alias of a template is the job\'s', async () => {
    const r = await lintText(
      '.gitlab-ci.yml',
      `.safe:
  tags: [shell]
  script:
    - trap 'kill "$PID"' EXIT
    - ./server & PID=$!
    - make test
.anchored: &anchored
  tags: [shell]
  script:
    - ./other &
job:
  <<: *anchored
`,
    );
    expect(r.findings.filter((f) => f.ruleId === 'BG001').map((f) => `${f.line}:${f.column} ${f.template ?? '-'} [${f.jobs}]`)).toEqual([
      '10:7 - [job]',
    ]);
  });

  it('a template that extends what was not read says its verdict is not certain', async () => {
    const r = await lintText('ci.yml', '.svc:\n  extends: .fdo.base\n  tags: [shell]\n  script:\n    - ./svc &\n');
    const f = r.findings.find((x) => x.ruleId === 'BG001')!;
    expect(`${f.line}:${f.column}`).toBe('5:7');
    expect(f.message).toMatch(/^in template \.svc: .*Not certain: template \.svc also uses extends \.fdo\.base, defined in no file read/);
    expect(r.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual(['2:12 extends-not-found']);
  });
});
