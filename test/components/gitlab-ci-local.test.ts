/**
 * The components' jobs run for real with gitlab-ci-local (no GitLab instance and no Docker engine here):
 * the interpolated component becomes the `.gitlab-ci.yml` of a throw-away git repository, and
 * gitlab-ci-local runs its jobs on this host (`--force-shell-executor` ignores `image:`,
 * `--shell-isolation` runs each job in a copy of the repository, like a runner's build directory).
 *
 * The lint job runs this checkout's ci-bgsafe (bundled from src/ into node_modules/.cache) through the
 * CI/CD variable CI_BGSAFE_COMMAND, the documented way to run ci-bgsafe from somewhere other than npm.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import AjvModule from 'ajv';
import { parse } from 'yaml';
import { interpolate, readComponent } from './component.js';
import { findJobProcesses, waitUntil } from '../harness/runner.js';
import { expectGolden } from '../golden.js';

const Ajv = AjvModule.default;
const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = join(root, 'test', 'fixtures', 'components');
const gclEntry = join(root, 'node_modules', 'gitlab-ci-local', 'src', 'index.js');

/** Every process started by these tests carries this variable, so leftovers can be found and killed. */
const MARK_VAR = 'CI_BGSAFE_COMPONENT_TEST';
const mark = randomUUID();

const tempDirs: string[] = [];
let cliDir = '';
let cliCommand = '';

/** Bundles this checkout's CLI into one file under node_modules/.cache, independent of dist/. */
async function bundleCli(): Promise<void> {
  const { build } = await import('esbuild');
  cliDir = join(root, 'node_modules', '.cache', 'ci-bgsafe-components', `cli-${process.pid}-${Date.now()}`);
  mkdirSync(join(cliDir, 'bin'), { recursive: true });
  // src/cli.ts reads ../package.json relative to itself.
  cpSync(join(root, 'package.json'), join(cliDir, 'package.json'));
  // The CLI's process entry (what dist/cli.cjs runs), from source.
  await build({
    entryPoints: [join(root, 'src', 'cli', 'process.ts')],
    outfile: join(cliDir, 'bin', 'ci-bgsafe.mjs'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    // As scripts/build.mjs: the generated schema validators require() ajv's runtime helpers.
    banner: { js: "import { createRequire as __cbRequire } from 'node:module'; const require = __cbRequire(import.meta.url);" },
    logLevel: 'error',
  });
  cliCommand = `node ${join(cliDir, 'bin', 'ci-bgsafe.mjs')}`;
}

/** Copies a fixture folder to a temp dir, writes `.gitlab-ci.yml`, and commits it (gitlab-ci-local needs git). */
function makeRepo(fixture: string | null, pipeline: string, options: { templates?: boolean; remote?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-gcl-'));
  tempDirs.push(dir);
  if (fixture) cpSync(join(fixtures, fixture), dir, { recursive: true });
  if (options.templates) {
    mkdirSync(join(dir, 'templates'));
    for (const f of ['lint.yml', 'services.yml', 'guard.yml']) cpSync(join(root, 'templates', f), join(dir, 'templates', f));
  }
  writeFileSync(join(dir, '.gitlab-ci.yml'), pipeline);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' });
  git('init', '-q', '-b', 'main');
  if (options.remote) git('remote', 'add', 'origin', options.remote);
  git('add', '-A');
  git('-c', 'user.name=ci-bgsafe tests', '-c', 'user.email=tests@example.invalid', 'commit', '-q', '-m', 'fixture');
  return dir;
}

interface GclResult {
  code: number | null;
  output: string;
}

/** Runs gitlab-ci-local in `dir` on this host; resolves with its exit code and output. */
function runGcl(dir: string, args: string[], timeoutMs = 120_000): Promise<GclResult> {
  return new Promise((resolve, reject) => {
    const home = join(dir, '.home');
    mkdirSync(home, { recursive: true });
    const child = spawn(
      process.execPath,
      [gclEntry, '--force-shell-executor', '--shell-isolation', '--no-color', '--variable', `CI_BGSAFE_COMMAND=${cliCommand}`, ...args],
      { cwd: dir, env: { ...process.env, HOME: home, [MARK_VAR]: mark, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`gitlab-ci-local did not finish within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** Live processes started by these tests (they carry MARK_VAR=mark), other than this test process. */
function ourProcesses() {
  return findJobProcesses(-1, MARK_VAR, mark);
}

async function processesAfter(ms: number) {
  const end = Date.now() + ms;
  let left = ourProcesses();
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    left = ourProcesses();
  }
  return left;
}

beforeAll(async () => {
  await bundleCli();
}, 120_000);

afterAll(async () => {
  for (const p of ourProcesses()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
  if (cliDir) rmSync(cliDir, { recursive: true, force: true });
});

const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false });
const validateCodeQuality = ajv.compile(JSON.parse(readFileSync(join(root, 'test', 'schemas', 'codequality.schema.json'), 'utf8')));

describe('templates/lint.yml run by gitlab-ci-local on a repository with known findings', () => {
  const component = readComponent(join(root, 'templates', 'lint.yml'), 'templates/lint.yml');
  // ci/e2e.yml: BG010 (warning) at 5:13 and BG012 (info) at 7:7; ci/unit.yml is clean.
  const expectedEntries = [
    { check_name: 'BG010', severity: 'minor', path: 'ci/e2e.yml', line: 5 },
    { check_name: 'BG012', severity: 'info', path: 'ci/e2e.yml', line: 7 },
  ];

  async function runLint(inputs: Record<string, unknown>) {
    const dir = makeRepo('lint-repo', interpolate(component, { paths: ['ci/*.yml'], ...inputs }));
    const result = await runGcl(dir, ['ci-bgsafe-lint']);
    const reportFile = join(dir, '.gitlab-ci-local', 'builds', 'ci-bgsafe-lint', 'gl-code-quality-report.json');
    const report = existsSync(reportFile) ? (JSON.parse(readFileSync(reportFile, 'utf8')) as Array<Record<string, any>>) : null;
    return { ...result, report };
  }

  function checkReport(report: Array<Record<string, any>> | null) {
    expect(report).not.toBeNull();
    const ok = validateCodeQuality(report);
    expect(validateCodeQuality.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const entries = report!.map((e) => ({ check_name: e.check_name, severity: e.severity, path: e.location.path, line: e.location.lines.begin }));
    expect(entries).toEqual(expectedEntries);
    expect(new Set(report!.map((e) => e.fingerprint)).size).toBe(report!.length);
  }

  it('severity warning (the default): the job fails on the warning, prints the text report and writes a valid Code Quality report', async () => {
    const r = await runLint({});
    expect(r.output).toMatch(/ci-bgsafe-lint .*FAIL 1/);
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('ci/e2e.yml:5:13: warning');
    expect(r.output).toContain('[BG010/broad-kill]');
    expect(r.output).toContain('ci/e2e.yml:7:7: info');
    checkReport(r.report);
    // Golden: the whole report (UPDATE_GOLDEN=1 rewrites it).
    expectGolden(join(fixtures, 'lint-repo.codequality.json'), `${JSON.stringify(r.report, null, 2)}\n`);
  });

  it('severity error: the same findings no longer fail the job, and the report is still written', async () => {
    const r = await runLint({ severity: 'error' });
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toMatch(/FAIL/);
    expect(r.output).toMatch(/PASS\s+ci-bgsafe-lint/);
    expect(r.output).toContain('ci/e2e.yml:5:13: warning');
    checkReport(r.report);
  });

  it('severity info with allow_failure: the job fails but the pipeline passes (a warning in GitLab)', async () => {
    const r = await runLint({ severity: 'info', allow_failure: true });
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/WARN\s+ci-bgsafe-lint/);
    checkReport(r.report);
  });

  it('only clean files: the job passes with an empty report', async () => {
    const r = await runLint({ paths: ['ci/unit.yml'] });
    expect(r.code, r.output).toBe(0);
    expect(r.report).toEqual([]);
    expect(validateCodeQuality(r.report)).toBe(true);
  });

  it("the include of the project's own pipeline (component @$CI_COMMIT_SHA), interpolated by gitlab-ci-local itself", async () => {
    const pipelineText = [
      'include:',
      '  - component: $CI_SERVER_FQDN/$CI_PROJECT_PATH/lint@$CI_COMMIT_SHA',
      '    inputs:',
      "      paths: ['ci/*.yml']",
      '      severity: error',
      '      executor: shell',
      '',
    ].join('\n');
    const dir = makeRepo('lint-repo', pipelineText, { templates: true, remote: 'https://gitlab.example.com/ci-bgsafe/ci-bgsafe.git' });
    const r = await runGcl(dir, ['ci-bgsafe-lint']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('ci/e2e.yml:5:13: warning');
    const report = JSON.parse(readFileSync(join(dir, '.gitlab-ci-local', 'builds', 'ci-bgsafe-lint', 'gl-code-quality-report.json'), 'utf8'));
    checkReport(report);
  });

  it('a path that does not exist: the job fails with a clear message (exit 2)', async () => {
    const r = await runLint({ paths: ['ci/missing.yml'] });
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/ci\/missing\.yml.*file not found/);
    expect(r.output).toMatch(/FAIL 2/);
  });
});

describe('templates/services.yml: a job built on .ci-bgsafe, run by gitlab-ci-local', () => {
  const component = readComponent(join(root, 'templates', 'services.yml'), 'templates/services.yml');

  const userJobs = [
    'stages: [test]',
    '',
    'api-test:',
    '  stage: test',
    '  extends: .ci-bgsafe',
    '  script:',
    "    - ci_bgsafe_start api --ready file:api.ready -- sh -c 'touch api.ready; echo api up; exec sleep 1000'",
    '    - echo "api is ready"',
    "    - sh -c 'echo integration tests failed; exit 7'",
    '    - echo "not reached"',
    '',
    'deploy:',
    '  stage: test',
    '  before_script:',
    '    - !reference [.ci-bgsafe, before_script]',
    '  script:',
    '    - ci_bgsafe_start vpn -- sleep 1000',
    '    - echo deployed',
    '    - ci_bgsafe_stop vpn',
    '    - echo "vpn stopped"',
    '',
    // A control: the same kind of service without ci-bgsafe really is left behind.
    'unmanaged:',
    '  stage: test',
    '  script:',
    '    - setsid sleep 1000 </dev/null >/dev/null 2>&1 &',
    '    - echo started',
    '',
  ].join('\n');

  function pipeline(inputs: Record<string, unknown>): string {
    return `${interpolate(component, inputs).replace(/^---\n/, '')}\n${userJobs}`;
  }

  it('parses as the jobs we expect', () => {
    const config = parse(pipeline({}), { customTags: [{ tag: '!reference', collection: 'seq', resolve: (s: unknown) => s }] as never }) as Record<string, unknown>;
    expect(Object.keys(config)).toEqual(expect.arrayContaining(['.ci-bgsafe', '.ci-bgsafe-bash', '.ci-bgsafe-sh', 'api-test', 'deploy']));
  });

  it.each([['bash', { grace: 2 }], ['sh', { shell: 'sh', grace: 2 }]] as const)(
    'shell %s: a failing step fails the job with its exit code, and the service started by ci_bgsafe_start is gone',
    async (_shell, inputs) => {
      const dir = makeRepo(null, pipeline(inputs));
      const r = await runGcl(dir, ['api-test']);
      expect(r.output).toContain('ci-bgsafe: started api');
      expect(r.output).toContain('ci-bgsafe: api is ready (file:api.ready)');
      expect(r.output).toContain('integration tests failed');
      expect(r.output).not.toContain('not reached');
      expect(r.output).toMatch(/api-test .*FAIL 7/);
      expect(r.code).not.toBe(0);
      const pid = Number(/ci-bgsafe: started api \(pid (\d+)/.exec(r.output)?.[1]);
      expect(pid).toBeGreaterThan(1);
      expect(await processesAfter(10_000)).toEqual([]);
      expect(existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')).toBe(false);
    },
  );

  it('included with include:local and inputs, interpolated by gitlab-ci-local itself: same failure, nothing left', async () => {
    const pipelineText = ['include:', '  - local: templates/services.yml', '    inputs:', '      grace: 2', '', userJobs].join('\n');
    const dir = makeRepo(null, pipelineText, { templates: true });
    const r = await runGcl(dir, ['api-test']);
    expect(r.output).toContain('ci-bgsafe: api is ready (file:api.ready)');
    expect(r.output).toMatch(/api-test .*FAIL 7/);
    expect(await processesAfter(10_000)).toEqual([]);
  });

  it('!reference form: ci_bgsafe_stop stops the service mid-job, the job passes, nothing is left', async () => {
    const dir = makeRepo(null, pipeline({ grace: 2 }));
    const r = await runGcl(dir, ['deploy']);
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('ci-bgsafe: started vpn');
    expect(r.output).toContain('vpn stopped');
    expect(r.output).toMatch(/PASS\s+deploy/);
    expect(await processesAfter(10_000)).toEqual([]);
  });

  it('control: without ci-bgsafe, the same kind of service outlives the job (so the check above can see leftovers)', async () => {
    const dir = makeRepo(null, pipeline({}));
    const r = await runGcl(dir, ['unmanaged']);
    expect(r.code, r.output).toBe(0);
    // the job may end before its background process has run sleep (it holds no pipe the job waits for)
    await waitUntil(() => ourProcesses().some((p) => p.cmdline === 'sleep 1000'), 'the unmanaged sleep 1000 outlives the job');
    const left = ourProcesses();
    for (const p of left) process.kill(p.pid, 'SIGKILL');
    expect(await processesAfter(5_000)).toEqual([]);
  });
});

describe('templates/guard.yml: a job built on .ci-bgsafe-guard, run by gitlab-ci-local', () => {
  const component = readComponent(join(root, 'templates', 'guard.yml'), 'templates/guard.yml');

  const userJobs = [
    'stages: [test]',
    '',
    'leaky:',
    '  stage: test',
    '  extends: .ci-bgsafe-guard',
    '  script:',
    '    - sleep 1201 >/dev/null 2>&1 &',
    '    - setsid sh -c "exec sleep 1202" </dev/null >/dev/null 2>&1 &',
    '    - echo "tests passed"',
    '',
    'tidy:',
    '  stage: test',
    '  before_script:',
    '    - !reference [.ci-bgsafe-guard, before_script]',
    '    - echo setup',
    '  script:',
    '    - sleep 0.2',
    '    - echo "tests passed"',
    '',
  ].join('\n');

  function pipeline(inputs: Record<string, unknown>): string {
    return `${interpolate(component, inputs).replace(/^---\n/, '')}\n${userJobs}`;
  }

  it.each([['bash', { grace: 2 }], ['sh', { shell: 'sh', grace: 2 }]] as const)(
    'shell %s, on-leak warn: the job passes, its two leaks are named in the log and gone',
    async (_shell, inputs) => {
      const dir = makeRepo(null, pipeline(inputs));
      const r = await runGcl(dir, ['leaky']);
      expect(r.code, r.output).toBe(0);
      expect(r.output).toMatch(/PASS\s+leaky/);
      expect(r.output).toContain('tests passed');
      // The two may be found in one scan or two (the setsid one may not have started its program yet).
      expect(r.output).toMatch(/ci-bgsafe guard: the job has ended; [12] process\(es\) it started are still running/);
      expect(r.output).toMatch(/pid \d+, ran \d+s: sleep 1201/);
      expect(r.output).toMatch(/pid \d+, ran \d+s: sleep 1202/);
      expect(await processesAfter(10_000)).toEqual([]);
    },
  );

  it('on-leak fail: the same job fails with exit code 1; a job that leaks nothing passes silently', async () => {
    const dir = makeRepo(null, pipeline({ grace: 2, on_leak: 'fail' }));
    const r = await runGcl(dir, ['leaky']);
    expect(r.output).toContain('failing the job (on-leak: fail)');
    expect(r.output).toMatch(/leaky .*FAIL 1/);
    expect(await processesAfter(10_000)).toEqual([]);
    const t = await runGcl(dir, ['tidy']);
    expect(t.code, t.output).toBe(0);
    expect(t.output).toContain('setup');
    expect(t.output).not.toContain('ci-bgsafe guard');
  });
});

describe("the project's own .gitlab-ci.yml, read by gitlab-ci-local", () => {
  let dir = '';

  beforeAll(() => {
    const text = readFileSync(join(root, '.gitlab-ci.yml'), 'utf8');
    // The remote makes $CI_SERVER_FQDN/$CI_PROJECT_PATH this project, so the component include is resolved locally.
    dir = makeRepo(null, text, { templates: true, remote: 'https://gitlab.com/ci-bgsafe/ci-bgsafe.git' });
  });

  async function jobs(variables: Record<string, string>): Promise<Record<string, string>> {
    const args = ['--list-json', ...Object.entries(variables).flatMap(([k, v]) => ['--variable', `${k}=${v}`])];
    const r = await runGcl(dir, args);
    expect(r.code, r.output).toBe(0);
    const list = JSON.parse(r.output.slice(r.output.search(/^\[/m))) as Array<{ name: string; when: string }>;
    return Object.fromEntries(list.map((j) => [j.name, j.when]));
  }

  const always = { install: 'on_success', typecheck: 'on_success', 'ci-bgsafe': 'on_success', 'ci-bgsafe-lint': 'on_success', test: 'on_success' };

  it('passes its schema check, includes the lint component at this commit, and runs no release on a branch', async () => {
    const r = await jobs({ CI_COMMIT_BRANCH: 'main' });
    expect(r).toMatchObject(always);
    expect(r.release ?? 'never').toBe('never');
    expect(r['npm-publish'] ?? 'never').toBe('never');
  });

  it('a semantic-version tag adds the release job; npm publish needs the token too', async () => {
    expect(await jobs({ CI_COMMIT_TAG: 'v1.2.3' })).toMatchObject({ ...always, release: 'on_success', 'npm-publish': 'never' });
    expect(await jobs({ CI_COMMIT_TAG: '1.2.3', NPM_TOKEN: 'secret' })).toMatchObject({ ...always, release: 'on_success', 'npm-publish': 'on_success' });
  });

  it('another tag releases nothing', async () => {
    const r = await jobs({ CI_COMMIT_TAG: 'nightly', NPM_TOKEN: 'secret' });
    expect(r.release ?? 'never').toBe('never');
    expect(r['npm-publish'] ?? 'never').toBe('never');
  });

  it('ci-bgsafe lints it and the components clean', async () => {
    const { lint } = await import('../../src/lint.js');
    const report = await lint(
      [join(root, '.gitlab-ci.yml'), ...['lint.yml', 'services.yml', 'guard.yml'].map((f) => join(root, 'templates', f))],
      { cwd: root },
    );
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.ruleId}`)).toEqual([]);
  });
});
