import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  configSchema,
  defaultConfig,
  findConfigFile,
  initConfigText,
  isIgnored,
  loadConfig,
  parseConfig,
  ruleSetting,
} from '../../src/config/index.js';
import { InputError } from '../../src/types.js';
import type { RuleMeta } from '../../src/rules/types.js';
import { RULES as REGISTRY_RULES } from '../../src/rules/index.js';

const REGISTRY = REGISTRY_RULES.map((r) => r.meta);

const fixtures = fileURLToPath(new URL('../fixtures/config/', import.meta.url));

const RULES: RuleMeta[] = [
  { id: 'BG001', name: 'unmanaged-background', defaultSeverity: 'error', summary: 'Starts that hang the job.', fixable: true },
  { id: 'BG002', name: 'orphaned-background', defaultSeverity: 'warning', summary: 'Starts that outlive the job.', fixable: false },
  { id: 'BG010', name: 'after-script-shell-state', defaultSeverity: 'info', summary: 'after_script is a new shell.', fixable: false },
];

/** The InputError message thrown for `text`, or a failure if none is thrown. */
function errorOf(text: string, rules = RULES): string {
  try {
    parseConfig(text, '.ci-bgsafe.yml', rules);
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as Error).message;
  }
  throw new Error('expected an InputError');
}

const tmp = mkdtempSync(join(tmpdir(), 'ci-bgsafe-config-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('loadConfig', () => {
  it('reads every key', () => {
    const { config, file } = loadConfig(join(fixtures, 'valid.yml'), RULES);
    expect(file).toBe(join(fixtures, 'valid.yml'));
    expect(config).toEqual({
      rules: { BG001: 'warning', 'orphaned-background': 'off' },
      executor: 'docker',
      severityThreshold: 'warning',
      maxWarnings: 3,
      fixStyle: 'guard',
      ignore: { files: ['vendor/**', '**/*.generated.yml'], jobs: ['legacy-*'] },
      baseDir: fixtures.replace(/\/$/, ''),
    });
  });

  it('points at the offending value with file:line:col', () => {
    const file = join(fixtures, 'bad-rule-value.yml');
    expect(() => loadConfig(file, RULES)).toThrow(`${file}:4:10: rules.BG001: must be one of error, warning, info, off`);
    try {
      loadConfig(file, RULES);
    } catch (e) {
      expect((e as InputError).diagnostic).toMatchObject({ severity: 'error', code: 'config-invalid', line: 4, column: 10 });
    }
  });

  it('accepts fixStyle library or guard, and points at anything else', () => {
    expect(errorOf('fixStyle: guards\n')).toBe('.ci-bgsafe.yml:1:11: fixStyle: must be one of library, guard');
  });

  it('points at an unknown rule key and suggests the right spelling', () => {
    expect(errorOf('rules:\n  bg001: off\n')).toBe('.ci-bgsafe.yml:2:3: rules.bg001: unknown rule (did you mean BG001 / unmanaged-background?)');
    expect(errorOf('rules:\n  BG999: off\n')).toBe('.ci-bgsafe.yml:2:3: rules.BG999: unknown rule (known: BG001, BG002, BG010)');
  });

  it('points at an unknown top-level or nested key', () => {
    expect(errorOf('rules: {}\nexecuter: shell\n')).toBe('.ci-bgsafe.yml:2:1: executer: unknown key');
    expect(errorOf('ignore:\n  paths: [a]\n')).toBe('.ci-bgsafe.yml:2:3: ignore.paths: unknown key');
  });

  it('reports wrong types and values at the value', () => {
    expect(errorOf('executor: podman\n')).toBe('.ci-bgsafe.yml:1:11: executor: must be one of shell, docker, kubernetes, instance');
    expect(errorOf('maxWarnings: -1\n')).toBe('.ci-bgsafe.yml:1:14: maxWarnings: must be >= 0');
    expect(errorOf('maxWarnings: lots\n')).toBe('.ci-bgsafe.yml:1:14: maxWarnings: must be integer');
    expect(errorOf('ignore:\n  files:\n    - ok\n    - 3\n')).toBe('.ci-bgsafe.yml:4:7: ignore.files[1]: must be string');
    expect(errorOf('rules: [BG001]\n')).toBe('.ci-bgsafe.yml:1:8: rules: must be object');
  });

  it('reports the first problem and how many more there are', () => {
    expect(errorOf('executor: x\nseverityThreshold: y\n')).toBe(
      '.ci-bgsafe.yml:1:11: executor: must be one of shell, docker, kubernetes, instance (and 1 more)',
    );
  });

  it('reports YAML syntax errors and duplicate keys with their position', () => {
    expect(errorOf('rules:\n  BG001: [error\n')).toMatch(/^\.ci-bgsafe\.yml:\d+:\d+: invalid YAML: /);
    expect(errorOf('executor: shell\nexecutor: docker\n')).toMatch(/^\.ci-bgsafe\.yml:2:1: invalid YAML: Map keys must be unique/);
  });

  it('rejects a file that is not a mapping', () => {
    expect(errorOf('- rules\n')).toBe('.ci-bgsafe.yml:1:1: the configuration must be a mapping (rules:, executor:, ignore: ...)');
  });

  it('treats an empty file as the defaults', () => {
    const { config } = { config: parseConfig('# nothing yet\n', join(tmp, '.ci-bgsafe.yml'), RULES) };
    expect({ ...config, baseDir: undefined }).toEqual({ ...defaultConfig(), baseDir: undefined });
  });

  it('follows YAML aliases', () => {
    const config = parseConfig('rules:\n  BG001: &sev warning\n  BG010: *sev\n', 'c.yml', RULES);
    expect(config.rules).toEqual({ BG001: 'warning', BG010: 'warning' });
  });

  it('reports an unreadable file as an input error, not a stack trace', () => {
    expect(() => loadConfig(join(tmp, 'missing.yml'), RULES)).toThrow(/missing\.yml:1:1: cannot read configuration: ENOENT/);
  });

  it('accepts rules the registry does not know yet when the caller knows them', () => {
    const extra: RuleMeta = { id: 'XX900', name: 'extra-rule', defaultSeverity: 'info', summary: 's', fixable: false };
    expect(parseConfig('rules:\n  extra-rule: error\n', 'c.yml', [extra]).rules).toEqual({ 'extra-rule': 'error' });
    expect(errorOf('rules:\n  XX900: bad\n', [extra])).toBe('.ci-bgsafe.yml:2:10: rules.XX900: must be one of error, warning, info, off');
  });
});

describe('ruleSetting', () => {
  it('uses the id or the name, else the default severity', () => {
    const config = parseConfig('rules:\n  BG001: warning\n  orphaned-background: off\n', 'c.yml', RULES);
    expect(ruleSetting(config, RULES[0])).toBe('warning');
    expect(ruleSetting(config, RULES[1])).toBe('off');
    expect(ruleSetting(config, RULES[2])).toBe('info');
  });

  it('lets the key written last win when both id and name are set', () => {
    const config = parseConfig('rules:\n  BG001: warning\n  unmanaged-background: info\n', 'c.yml', RULES);
    expect(ruleSetting(config, RULES[0])).toBe('info');
  });
});

describe('findConfigFile', () => {
  it('finds the nearest file upwards, .yml or .yaml', () => {
    expect(findConfigFile(join(fixtures, 'nested/a/b'))).toBe(join(fixtures, 'nested/.ci-bgsafe.yaml'));
  });

  it('prefers .ci-bgsafe.yml in the same directory and stops at the root', () => {
    const dir = join(tmp, 'proj/sub');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(tmp, 'proj/.ci-bgsafe.yml'), 'rules: {}\n');
    writeFileSync(join(tmp, 'proj/.ci-bgsafe.yaml'), 'rules: {}\n');
    expect(findConfigFile(dir)).toBe(join(tmp, 'proj/.ci-bgsafe.yml'));
    expect(findConfigFile('/')).toBeUndefined();
  });
});

describe('isIgnored', () => {
  const config = { ...parseConfig('ignore:\n  files: ["vendor/**", "**/*.gen.yml"]\n  jobs: ["legacy-*", ".*"]\n', '/repo/.ci-bgsafe.yml', RULES) };

  it('matches file globs relative to the configuration directory', () => {
    expect(isIgnored(config, '/repo/vendor/x/ci.yml')).toBe(true);
    expect(isIgnored(config, 'vendor/ci.yml')).toBe(true);
    expect(isIgnored(config, './ci/a.gen.yml')).toBe(true);
    expect(isIgnored(config, '/repo/.gitlab-ci.yml')).toBe(false);
    expect(isIgnored(config, '/elsewhere/vendor/ci.yml')).toBe(false);
  });

  it('matches job name globs', () => {
    expect(isIgnored(config, '/repo/.gitlab-ci.yml', 'legacy-build')).toBe(true);
    expect(isIgnored(config, '/repo/.gitlab-ci.yml', 'build')).toBe(false);
  });

  it('ignores nothing by default', () => {
    expect(isIgnored(defaultConfig(), 'a.yml', 'job')).toBe(false);
  });
});

describe('configSchema', () => {
  it('lists every rule by id and name, and allows $schema', () => {
    const schema = configSchema(RULES) as any;
    expect(Object.keys(schema.properties.rules.properties)).toEqual([
      'BG001', 'unmanaged-background', 'BG002', 'orphaned-background', 'BG010', 'after-script-shell-state',
    ]);
    expect(schema.properties.rules.properties.BG002.enum).toEqual(['error', 'warning', 'info', 'off']);
    expect(schema.properties.$schema).toEqual(expect.objectContaining({ type: 'string' }));
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('initConfigText', () => {
  it('starts with the yaml-language-server schema line', () => {
    expect(initConfigText(RULES).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=https://gitlab.com/ci-bgsafe/ci-bgsafe/-/raw/main/schemas/config.schema.json',
    );
    expect(initConfigText(RULES, { schemaUrl: './node_modules/ci-bgsafe/schemas/config.schema.json' }).split('\n')[0]).toBe(
      '# yaml-language-server: $schema=./node_modules/ci-bgsafe/schemas/config.schema.json',
    );
  });

  it('documents every rule and the other keys, in lines of reasonable length', () => {
    const text = initConfigText(RULES);
    for (const r of RULES) {
      expect(text).toContain(`  # ${r.id} ${r.name}`);
      expect(text).toContain(`  #   ${r.summary}`);
      expect(text).toContain(`  ${r.id}: ${r.defaultSeverity}\n`);
    }
    for (const key of ['executor:', 'severityThreshold:', 'maxWarnings:', 'ignore:']) expect(text).toContain(key);
    const long = initConfigText(REGISTRY).split('\n').filter((l) => l.length > 100 && !l.includes('://'));
    expect(long).toEqual([]);
  });

  it('loads back to the defaults (also with the real rule registry)', () => {
    for (const rules of [RULES, [], REGISTRY]) {
      const file = join(tmp, 'init', '.ci-bgsafe.yml');
      mkdirSync(join(tmp, 'init'), { recursive: true });
      writeFileSync(file, initConfigText(rules));
      const { config } = loadConfig(file, rules);
      for (const r of rules) expect(ruleSetting(config, r)).toBe(r.defaultSeverity);
      expect(config.executor).toBeUndefined();
      expect(config.severityThreshold).toBeUndefined();
      expect(config.maxWarnings).toBeUndefined();
      expect(config.ignore).toEqual({ files: [], jobs: [] });
    }
  });
});
