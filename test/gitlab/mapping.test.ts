import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { lint } from '../../src/lint.js';
import { fakeIO } from '../cli/helpers.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ci-bgsafe-map-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
}

/** A workspace: the pipeline's project in app/, a template project and a component project next to it. */
function workspace(config?: string): string {
  const ws = fs.mkdtempSync(path.join(tmp, 'ws-'));
  write(ws, {
    'app/.git/HEAD': '',
    'app/.gitlab-ci.yml': [
      'include:',
      '  - project: my-group/ci-templates',
      '    ref: main',
      '    file:',
      '      - /templates/services.yml',
      '  - component: $CI_SERVER_FQDN/my-group/components/e2e@1.2',
      '    inputs:',
      '      port: 9090',
      '  - component: gitlab.example.com/other/thing/x@1',
      'test:',
      '  extends: .with-redis',
      '  script:',
      '    - make test',
      '',
    ].join('\n'),
    ...(config ? { 'app/.ci-bgsafe.yml': config } : {}),
    'ci-templates/.git/HEAD': '',
    'ci-templates/templates/services.yml': 'include:\n  - local: /templates/redis.yml\n',
    'ci-templates/templates/redis.yml': '.with-redis:\n  tags: [shell]\n  before_script:\n    - redis-server &\n',
    'components/.git/HEAD': '',
    'components/templates/e2e/template.yml': [
      'spec:',
      '  inputs:',
      '    port:',
      '      default: 8080',
      '    stage:',
      '      default: test',
      '---',
      '"e2e-$[[ inputs.stage ]]":',
      '  tags: [shell]',
      '  script:',
      '    - ./mock --port $[[ inputs.port ]] --name "$[[ inputs.stage | truncate(0,2) ]]" &',
      '    - ./e2e',
      '',
    ].join('\n'),
  });
  return ws;
}

const shown = (f: { file: string; line: number; column: number; endLine: number; endColumn: number; jobs: string[] }, ws: string) =>
  `${path.relative(ws, f.file)}:${f.line}:${f.column}-${f.endLine}:${f.endColumn} [${f.jobs}]`;

describe('include: project and include: component read from local checkouts', () => {
  it('.ci-bgsafe.yml map: a project file (and its own local include) and a component with its inputs, at their line:col', async () => {
    const ws = workspace('map:\n  my-group/ci-templates: ../ci-templates\n  my-group/components: ../components\n');
    const app = path.join(ws, 'app');
    const r = await lint([path.join(app, '.gitlab-ci.yml')], { cwd: ws });
    expect(r.errors).toEqual([]);
    expect(r.findings.filter((f) => f.ruleId === 'BG001').map((f) => shown(f, ws))).toEqual([
      'ci-templates/templates/redis.yml:4:7-4:21 [test]',
      // `./mock --port 9090 --name "te" &`: the replaced parts map to their `$[[`, the rest to itself
      'components/templates/e2e/template.yml:11:7-11:86 [e2e-test]',
    ]);
    // the one component not mapped is a note that says how to map it
    expect(r.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual(['9:16 include-not-resolved']);
    expect(r.notes[0]!.message).toMatch(/map the project to a local checkout with `map:` in \.ci-bgsafe\.yml or --map-project/);
    expect(r.findings.find((f) => f.ruleId === 'BG001' && f.jobs[0] === 'test')!.message).not.toMatch(/Not certain/);
  });

  it('--map-project does the same from the command line, relative to the working folder', async () => {
    const ws = workspace();
    const io = fakeIO(path.join(ws, 'app'));
    const code = await main(['lint', '--no-config', '--map-project', 'my-group/ci-templates=../ci-templates', '-f', 'json'], io);
    expect(code).toBe(1);
    const json = JSON.parse(io.stdout);
    expect(json.findings.filter((f: { ruleId: string }) => f.ruleId === 'BG001').map((f: { file: string; line: number }) => `${f.file}:${f.line}`)).toEqual([
      '../ci-templates/templates/redis.yml:4',
    ]);
    // the component project is not mapped here
    expect(json.notes.map((n: { line: number; code: string }) => `${n.line} ${n.code}`)).toEqual(['6 include-not-resolved', '9 include-not-resolved']);
  });

  it('an input with no value and no default is a note at the include; a bad --map-project is a usage error', async () => {
    const ws = workspace('map:\n  my-group/components: ../components\n');
    write(ws, { 'components/templates/e2e/template.yml': 'spec:\n  inputs:\n    port:\n---\nj:\n  tags: [shell]\n  script: ["./mock --port $[[ inputs.port ]] &"]\n' });
    const r = await lint([path.join(ws, 'app', '.gitlab-ci.yml')], { cwd: ws, map: {} });
    expect(r.notes.filter((n) => n.code === 'input-not-given')).toEqual([]); // port is given: 9090
    write(ws, { 'app/.gitlab-ci.yml': 'include:\n  - component: $CI_SERVER_FQDN/my-group/components/e2e@1\n' });
    const r2 = await lint([path.join(ws, 'app', '.gitlab-ci.yml')], { cwd: ws });
    expect(r2.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual(['2:16 input-not-given']);
    expect(r2.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toContain('7:13 BG001');
    const io = fakeIO(ws);
    expect(await main(['lint', '--map-project', 'nothing-here'], io)).toBe(2);
    expect(io.stderr).toMatch(/--map-project takes PROJECT=FOLDER/);
  });

  it('a component file linted on its own is read with its spec defaults, at exact positions', async () => {
    const ws = fs.mkdtempSync(path.join(tmp, 'own-'));
    write(ws, {
      'templates/e2e.yml': [
        'spec:',
        '  inputs:',
        '    shell:',
        '      default: bash',
        '    port:',
        '---',
        '.base-bash:',
        '  tags: [shell]',
        '.e2e:',
        '  extends: .base-$[[ inputs.shell ]]',
        '  script:',
        '    - ./mock --port $[[ inputs.port ]] &',
        '',
      ].join('\n'),
    });
    const r = await lint([path.join(ws, 'templates', 'e2e.yml')], { cwd: ws });
    // The extends names .base-bash (the default); port has no default: a note where it is declared, and the
    // reference stays as written.
    expect(r.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual(['5:5 input-not-given']);
    expect(r.notes[0]!.message).toMatch(/input port has no default/);
    expect(r.findings.map((f) => `${f.line}:${f.column} ${f.ruleId}`)).toContain('12:7 BG001');
  });
});
