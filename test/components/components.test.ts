/**
 * The CI/CD catalog components, checked the way GitLab reads them (no GitLab instance here): layout,
 * spec header, interpolation with default and non-default inputs, the result a pipeline that loads and
 * that ci-bgsafe lints clean. Also: templates/services.yml is what the generator makes today.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lint } from '../../src/lint.js';
import { loadPipeline } from '../../src/gitlab/index.js';
import { generate } from '../../src/gen/index.js';
import { expectGolden } from '../golden.js';
import { headerProblems, interpolate, parseComponent, readComponent, usedInputs } from './component.js';
import { buildComponents, buildServicesComponent, GUARD_COMPONENT, renderGuardComponent, renderServicesComponent } from '../../scripts/build-components.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const templates = join(root, 'templates');
const COMPONENT_PATH = /^templates\/[\w-]+(?:\/template)?\.yml$/;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const componentFiles = walk(templates)
  .map((p) => relative(root, p))
  .filter((p) => p.endsWith('.yml') || p.endsWith('.yaml'))
  .sort();

/** Lints YAML text as if it were the file `name`, with no configuration file. */
async function lintText(text: string, name: string) {
  return lint(['-'], { stdin: { text, name }, noConfig: true, cwd: root });
}

describe('component layout (GitLab: ^templates/[\\w-]+(?:/template)?\\.yml$, at most 30)', () => {
  it('finds the three components', () => {
    expect(componentFiles).toEqual(['templates/guard.yml', 'templates/lint.yml', 'templates/services.yml']);
  });

  it('every .yml under templates/ is a component path with a spec header, and there are at most 30', () => {
    expect(componentFiles.length).toBeLessThanOrEqual(30);
    for (const f of componentFiles) {
      expect(f, f).toMatch(COMPONENT_PATH);
      expect(() => readComponent(join(root, f), f), f).not.toThrow();
    }
  });

  it("the generator's EJS folder holds no .yml file (it would count as a component)", () => {
    expect(walk(join(templates, 'gen')).filter((p) => /\.ya?ml$/.test(p))).toEqual([]);
  });
});

describe('spec header checks', () => {
  it.each([
    ['an unknown key', { spec: { inputs: { a: { default: 'x', description: 'd', required: true } } } }, /additionalProperties|must NOT have additional properties/],
    ['a bad type', { spec: { inputs: { a: { type: 'list', description: 'd' } } } }, /must be equal to one of the allowed values/],
    ['a default of the wrong type', { spec: { inputs: { a: { type: 'number', default: '3', description: 'd' } } } }, /default "3" is not a number/],
    ['a default outside the options', { spec: { inputs: { a: { options: ['x', 'y'], default: 'z', description: 'd' } } } }, /not in the list of allowed options/],
    ['a default not matching the regex', { spec: { inputs: { a: { regex: '^\\d+$', default: 'v1', description: 'd' } } } }, /does not match required RegEx/],
    ['a regex on a boolean', { spec: { inputs: { a: { type: 'boolean', regex: 'x', default: true, description: 'd' } } } }, /regex is only allowed for string inputs/],
    ['no spec', { inputs: {} }, /must have required property 'spec'/],
  ])('reports %s', (_label, header, message) => {
    expect(headerProblems(header).join('\n')).toMatch(message);
  });

  it('rejects a file that is not two documents', () => {
    expect(() => parseComponent('job:\n  script: [true]\n', 'one.yml')).toThrow(/two YAML documents/);
    expect(() => parseComponent('a: 1\n---\nb: 2\n', 'nospec.yml')).toThrow(/not a spec: header/);
  });
});

describe('interpolation as GitLab does it', () => {
  const c = parseComponent(
    [
      'spec:',
      '  inputs:',
      '    name: {default: build, description: d}',
      '    list: {type: array, default: [a, b], description: d}',
      '    flag: {type: boolean, default: false, description: d}',
      '    n: {type: number, default: 3, description: d}',
      '---',
      '"$[[ inputs.name ]]-job":',
      '  allow_failure: $[[ inputs.flag ]]',
      '  parallel: $[[ inputs.n ]]',
      '  needs: $[[ inputs.list ]]',
      '  script:',
      '    - echo "$[[ inputs.list ]] $[[ inputs.flag ]] $[[ inputs.n ]]"',
      '',
    ].join('\n'),
    't.yml',
  );

  it('keeps the type of a whole-value block and writes text inside a string (keys too)', async () => {
    const { parse } = await import('yaml');
    expect(parse(interpolate(c))).toEqual({
      'build-job': { allow_failure: false, parallel: 3, needs: ['a', 'b'], script: ['echo "["a", "b"] false 3"'] },
    });
    expect(parse(interpolate(c, { name: 'x', list: ['c'], flag: true, n: 5 }))).toEqual({
      'x-job': { allow_failure: true, parallel: 5, needs: ['c'], script: ['echo "["c"] true 5"'] },
    });
  });

  it('rejects unknown inputs, wrong types and missing required values', () => {
    expect(() => interpolate(c, { nme: 'x' })).toThrow(/unknown input name provided: `nme`/);
    expect(() => interpolate(c, { flag: 'yes' })).toThrow(/`flag` input: provided value "yes" is not a boolean/);
    const required = parseComponent('spec:\n  inputs:\n    x: {description: d}\n---\nj:\n  script:\n    - echo $[[ inputs.x ]]\n', 'r.yml');
    expect(() => interpolate(required)).toThrow(/`x` input: required value has not been provided/);
    expect(interpolate(required, { x: 'hi' })).toContain('echo hi');
  });
});

describe.each(componentFiles)('%s', (file) => {
  const component = readComponent(join(root, file), file);

  it('has a valid header: every input described, used in the configuration, with a valid default', () => {
    expect(headerProblems(component.header)).toEqual([]);
    expect([...usedInputs(component)].sort()).toEqual(Object.keys(component.inputs).sort());
  });

  it('the raw component lints clean (ci-bgsafe reads component files)', async () => {
    const report = await lint([join(root, file)], { noConfig: true, cwd: root });
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
    // Read with its spec defaults: its `extends: …-$[[ inputs.shell ]]` names a template it defines.
    expect(report.notes.map((n) => `${n.line}:${n.column} ${n.code}`)).toEqual([]);
  });

  it('interpolated with the defaults: a pipeline that loads and lints clean', async () => {
    const text = interpolate(component);
    const pipeline = loadPipeline(file, { text });
    expect(pipeline.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    const report = await lintText(text, file);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
  });
});

describe('templates/lint.yml', () => {
  const component = readComponent(join(templates, 'lint.yml'), 'templates/lint.yml');

  it('interpolated with the defaults: one job running the published ci-bgsafe and publishing Code Quality', async () => {
    const { parse } = await import('yaml');
    const config = parse(interpolate(component)) as Record<string, Record<string, unknown>>;
    expect(Object.keys(config)).toEqual(['ci-bgsafe-lint']);
    const job = config['ci-bgsafe-lint']!;
    expect(job.stage).toBe('test');
    expect(job.image).toBe('node:24-alpine');
    expect(job.allow_failure).toBe(false);
    expect(job.variables).toEqual({ CI_BGSAFE_COMMAND: 'npx --yes ci-bgsafe@0.1.0', CI_BGSAFE_EXECUTOR: '', CI_BGSAFE_SEVERITY: 'warning' });
    expect(job.artifacts).toEqual({ when: 'always', expire_in: '1 week', reports: { codequality: 'gl-code-quality-report.json' } });
    const script = (job.script as string[]).join('\n');
    expect(script).toContain('["' + '.gitlab-ci.yml' + '"]');
    expect(script).toContain('lint --format codequality --output gl-code-quality-report.json --severity-threshold "$CI_BGSAFE_SEVERITY"');
  });

  it('interpolated with the defaults, as text (golden: test/fixtures/components/lint.defaults.yml; UPDATE_GOLDEN=1 rewrites it)', () => {
    expectGolden(join(root, 'test', 'fixtures', 'components', 'lint.defaults.yml'), interpolate(component));
  });

  it('its script passes shellcheck as POSIX sh (the default image has no bash)', async () => {
    const { parse } = await import('yaml');
    const { spawnSync } = await import('node:child_process');
    const job = (parse(interpolate(component, { paths: ['a b.yml', 'ci/*.yml'] })) as Record<string, { script: string[] }>)['ci-bgsafe-lint']!;
    const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: `#!/bin/sh\n${job.script.join('\n')}\n`, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('the default version is the package version', () => {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect(component.inputs.version!.default).toBe(pkg.version);
  });

  it.each<[Record<string, any>]>([
    [{ stage: 'verify', paths: ['ci/a.yml', 'templates/*.yml'], executor: 'shell', severity: 'error', version: '1.2.3', image: 'node:22', allow_failure: true }],
    [{ executor: 'kubernetes', severity: 'info', version: 'latest', paths: ['dir with space/.gitlab-ci.yml'] }],
  ])('non-default inputs %j: a pipeline that loads and lints clean, with the values in place', async (inputs) => {
    const text = interpolate(component, inputs);
    const report = await lintText(text, 'templates/lint.yml');
    expect(report.errors).toEqual([]);
    expect(report.findings).toEqual([]);
    const { parse } = await import('yaml');
    const job = (parse(text) as Record<string, Record<string, unknown>>)['ci-bgsafe-lint']!;
    if (inputs.stage) expect(job.stage).toBe(inputs.stage);
    if (inputs.allow_failure !== undefined) expect(job.allow_failure).toBe(true);
    expect((job.variables as Record<string, string>).CI_BGSAFE_EXECUTOR).toBe(inputs.executor);
    expect((job.variables as Record<string, string>).CI_BGSAFE_COMMAND).toBe(`npx --yes ci-bgsafe@${inputs.version}`);
    expect((job.script as string[])[0]).toContain(JSON.stringify(inputs.paths).replace(/","/g, '", "'));
  });

  it('rejects inputs GitLab would reject', () => {
    expect(() => interpolate(component, { severity: 'fatal' })).toThrow(/not in the list of allowed options/);
    expect(() => interpolate(component, { executor: 'ssh' })).toThrow(/not in the list of allowed options/);
    expect(() => interpolate(component, { version: '1.2' })).toThrow(/does not match required RegEx/);
    expect(() => interpolate(component, { version: '1.2.3; rm -rf /' })).toThrow(/does not match required RegEx/);
    expect(() => interpolate(component, { paths: '.gitlab-ci.yml' })).toThrow(/is not a array/);
    expect(() => interpolate(component, { allow_failure: 'true' })).toThrow(/is not a boolean/);
  });
});

describe('templates/services.yml', () => {
  const component = readComponent(join(templates, 'services.yml'), 'templates/services.yml');

  it('is up to date with the generator (run node scripts/build-components.mjs)', async () => {
    const expected = renderServicesComponent({
      bash: generate({ services: [] }, { format: 'library', shell: 'bash' }),
      sh: generate({ services: [] }, { format: 'library', shell: 'sh' }),
      version: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    });
    expect(readFileSync(join(templates, 'services.yml'), 'utf8')).toBe(expected);
  });

  it('the build script renders the same file', async () => {
    expect(await buildServicesComponent()).toBe(readFileSync(join(templates, 'services.yml'), 'utf8'));
  });

  it.each<['bash' | 'sh', { shell?: string; grace?: number; ready_timeout?: number }]>([
    ['bash', {}],
    ['sh', { shell: 'sh', grace: 3, ready_timeout: 120 }],
  ])('shell %s: .ci-bgsafe carries the library, usable with extends and !reference; the user jobs lint clean', async (shell, inputs) => {
    const body = interpolate(component, inputs);
    const user = [
      'e2e:',
      '  extends: .ci-bgsafe',
      '  tags: [shell]',
      '  script:',
      "    - ci_bgsafe_start api --ready tcp:localhost:8080 -- node server.js",
      '    - npm test',
      '',
      'deploy:',
      '  tags: [shell]',
      '  before_script:',
      '    - !reference [.ci-bgsafe, before_script]',
      '    - echo ready',
      '  script:',
      "    - ci_bgsafe_start vpn -- openfortivpn -c /etc/openfortivpn/config",
      '    - ./deploy.sh',
      '    - ci_bgsafe_stop vpn',
      '',
    ].join('\n');
    const text = `${body.replace(/^---\n/, '')}\n${user}`;
    const pipeline = loadPipeline('.gitlab-ci.yml', { text });
    const byName = new Map(pipeline.jobs.map((j) => [j.name, j]));
    const library = generate({ services: [] }, { format: 'library', shell })
      .replace('${CI_BGSAFE_GRACE:-10}', `\${CI_BGSAFE_GRACE:-${String(inputs.grace ?? 10)}}`)
      .replace('${CI_BGSAFE_READY_TIMEOUT:-30}', `\${CI_BGSAFE_READY_TIMEOUT:-${String(inputs.ready_timeout ?? 30)}}`);
    for (const name of ['e2e', 'deploy']) {
      const job = byName.get(name)!;
      expect(job.before_script[0]!.text.trimEnd(), name).toBe(library.trimEnd());
    }
    expect(byName.get('deploy')!.before_script.map((i) => i.text).slice(1)).toEqual(['echo ready']);
    const report = await lintText(text, '.gitlab-ci.yml');
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.jobs.join(',')} ${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it('rejects a shell the generator does not have', () => {
    expect(() => interpolate(component, { shell: 'zsh' })).toThrow(/not in the list of allowed options/);
  });
});

describe('templates/guard.yml', () => {
  const component = readComponent(join(templates, 'guard.yml'), 'templates/guard.yml');

  it('is up to date with the generator (run node scripts/build-components.mjs)', async () => {
    const expected = renderGuardComponent({
      bash: generate({ services: [] }, { format: 'guard', shell: 'bash' }),
      sh: generate({ services: [] }, { format: 'guard', shell: 'sh' }),
      version: (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
    });
    expect(readFileSync(join(templates, 'guard.yml'), 'utf8')).toBe(expected);
    expect((await buildComponents())[GUARD_COMPONENT]).toBe(expected);
  });

  it.each<['bash' | 'sh', { shell?: string; grace?: number; on_leak?: string }]>([
    ['bash', {}],
    ['sh', { shell: 'sh', grace: 3, on_leak: 'fail' }],
  ])('shell %s: .ci-bgsafe-guard carries the guard, usable with extends, !reference and default:; the user jobs lint clean', async (shell, inputs) => {
    const body = interpolate(component, inputs);
    const user = [
      'unit:',
      '  extends: .ci-bgsafe-guard',
      '  tags: [shell]',
      '  script:',
      '    - npm test',
      '',
      'deploy:',
      '  tags: [shell]',
      '  before_script:',
      '    - !reference [.ci-bgsafe-guard, before_script]',
      '    - echo ready',
      '  script:',
      '    - ./deploy.sh',
      '',
    ].join('\n');
    const text = `${body.replace(/^---\n/, '')}\n${user}`;
    const pipeline = loadPipeline('.gitlab-ci.yml', { text });
    const byName = new Map(pipeline.jobs.map((j) => [j.name, j]));
    const guard = generate({ services: [] }, { format: 'guard', shell })
      .replace('${CI_BGSAFE_GUARD_GRACE:-10}', `\${CI_BGSAFE_GUARD_GRACE:-${String(inputs.grace ?? 10)}}`)
      .replace('${CI_BGSAFE_GUARD_ON_LEAK:-warn}', `\${CI_BGSAFE_GUARD_ON_LEAK:-${inputs.on_leak ?? 'warn'}}`);
    for (const name of ['unit', 'deploy']) {
      expect(byName.get(name)!.before_script[0]!.text.trimEnd(), name).toBe(guard.trimEnd());
    }
    const report = await lintText(text, '.gitlab-ci.yml');
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.jobs.join(',')} ${f.line}:${f.column} ${f.ruleId} ${f.message}`)).toEqual([]);
  });

  it('rejects an on_leak the guard does not have', () => {
    expect(() => interpolate(component, { on_leak: 'kill' })).toThrow(/not in the list of allowed options/);
  });
});

describe('docs/components.md examples', () => {
  const doc = readFileSync(join(root, 'docs', 'components.md'), 'utf8');
  const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const components = {
    lint: readComponent(join(templates, 'lint.yml'), 'templates/lint.yml'),
    services: readComponent(join(templates, 'services.yml'), 'templates/services.yml'),
  };

  it('has the VPN job rewritten with the services component', () => {
    expect(doc).toMatch(/<!-- vpn-example -->\n```yaml\n[\s\S]*?services@[\s\S]*?ci_bgsafe_start vpn/);
  });

  it('every include of a component uses an @version and inputs the component accepts', async () => {
    const { parse } = await import('yaml');
    let includes = 0;
    for (const block of blocks) {
      const config = parse(block, { customTags: [{ tag: '!reference', collection: 'seq', resolve: (s: unknown) => s }] as never }) as {
        include?: Array<{ component: string; inputs?: Record<string, unknown> }>;
      };
      for (const inc of config.include ?? []) {
        includes += 1;
        const m = /^\$CI_SERVER_FQDN\/ci-bgsafe\/ci-bgsafe\/(lint|services)@0\.1\.0$/.exec(inc.component);
        expect(m, inc.component).not.toBeNull();
        expect(() => interpolate(components[m![1] as 'lint' | 'services'], inc.inputs ?? {})).not.toThrow();
      }
    }
    expect(includes).toBeGreaterThanOrEqual(5);
  });

  it('the services examples, with the component interpolated in place of the include, load and lint clean', async () => {
    const { parse } = await import('yaml');
    const examples = blocks.filter((b) => b.includes('services@'));
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const block of examples) {
      const inputs = (parse(block, { customTags: [{ tag: '!reference', collection: 'seq', resolve: (s: unknown) => s }] as never }) as {
        include: Array<{ inputs?: Record<string, unknown> }>;
      }).include[0]!.inputs ?? {};
      const jobs = block.replace(/^include:\n(?:  .*\n)+/m, '');
      const text = `${interpolate(components.services, inputs).replace(/^---\n/, '')}\n${jobs}`;
      const report = await lintText(text, '.gitlab-ci.yml');
      expect(report.errors, block).toEqual([]);
      expect(report.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`), block).toEqual([]);
      const pipeline = loadPipeline('.gitlab-ci.yml', { text });
      const userJobs = pipeline.jobs.filter((j) => !j.name.startsWith('.'));
      expect(userJobs.length).toBeGreaterThan(0);
      for (const j of userJobs) expect(j.before_script[0]?.text ?? '', j.name).toContain('ci_bgsafe_start()');
    }
  });
});

describe('docs/guard.md examples', () => {
  const doc = readFileSync(join(root, 'docs', 'guard.md'), 'utf8');
  const examples = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!).filter((b) => b.includes('guard@'));
  const component = readComponent(join(templates, 'guard.yml'), 'templates/guard.yml');

  it('each example, with the component interpolated in place of its include, loads and lints clean, and every job starts with the guard', async () => {
    const { parse } = await import('yaml');
    expect(examples.length).toBeGreaterThanOrEqual(3);
    for (const block of examples) {
      const config = parse(block, { customTags: [{ tag: '!reference', collection: 'seq', resolve: (s: unknown) => s }] as never }) as {
        include: Array<{ component: string; inputs?: Record<string, unknown> }>;
      };
      expect(config.include[0]!.component).toBe('$CI_SERVER_FQDN/ci-bgsafe/ci-bgsafe/guard@0.1.0');
      const jobs = block.replace(/^include:\n(?:  .*\n)+/m, '');
      const text = `${interpolate(component, config.include[0]!.inputs ?? {}).replace(/^---\n/, '')}\n${jobs}`;
      const report = await lintText(text, '.gitlab-ci.yml');
      expect(report.errors, block).toEqual([]);
      expect(report.findings.map((f) => `${f.line}:${f.column} ${f.ruleId} ${f.message}`), block).toEqual([]);
      const userJobs = loadPipeline('.gitlab-ci.yml', { text }).jobs.filter((j) => !j.name.startsWith('.'));
      expect(userJobs.length).toBeGreaterThan(0);
      for (const j of userJobs) expect(j.before_script[0]?.text ?? '', j.name).toContain('ci_bgsafe_guard_exit()');
    }
  });
});
