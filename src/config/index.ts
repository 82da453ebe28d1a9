/**
 * `.ci-bgsafe.yml`: discovery, loading and validation (precompiled ajv validator of
 * schemas/config.schema.json), with errors pointing at the offending key or value.
 */
import { dirname, isAbsolute, join, relative, resolve } from 'pathe';
import picomatch from 'picomatch';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { host, readText } from '../host.js';
import { InputError, type Executor, type Severity } from '../types.js';
import type { RuleMeta } from '../rules/types.js';
import type { ValidationError } from '../validation.js';
import validate from '../generated/config.validate.js';
import { SETTINGS } from './schema.js';

export { configSchema, CONFIG_SCHEMA_URL, CONFIG_SCHEMA_LOCAL, SETTINGS, SEVERITIES, EXECUTORS } from './schema.js';
export { initConfigText, type InitOptions } from './init.js';

export type RuleSetting = Severity | 'off';

export interface Config {
  /** Rule settings as written, keyed by rule id or name. */
  rules: Record<string, RuleSetting>;
  executor?: Executor;
  severityThreshold?: Severity;
  maxWarnings?: number;
  /** The services component's address: `--fix` includes it instead of pasting the library. */
  servicesComponent?: string;
  /** What `--fix` does with a process nothing stops: start it with `ci_bgsafe_start` (`library`, the default) or run the job guard first (`guard`). */
  fixStyle?: 'library' | 'guard';
  ignore: { files: string[]; jobs: string[] };
  /** The directory of the configuration file: `ignore.files` globs are relative to it. */
  baseDir?: string;
  /** Local checkouts of other projects: GitLab project path -> absolute folder (written relative to the file). */
  map?: Record<string, string>;
}

export const CONFIG_FILE_NAMES = ['.ci-bgsafe.yml', '.ci-bgsafe.yaml'] as const;

/** The configuration used when there is no file: every rule at its default severity. */
export function defaultConfig(): Config {
  return { rules: {}, ignore: { files: [], jobs: [] } };
}

/** Searches `startDir` and its parents for `.ci-bgsafe.yml` / `.ci-bgsafe.yaml`, up to the filesystem root. */
export function findConfigFile(startDir: string): string | undefined {
  let dir = resolve(startDir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(dir, name);
      try {
        if (host().stat(candidate)?.isFile) return candidate;
      } catch {
        // unreadable directory entry: keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function fail(file: string, line: number, column: number, message: string, code = 'config-invalid'): never {
  throw new InputError({ severity: 'error', code, message, file, line, column });
}

/**
 * Reads and validates a configuration file. Rule keys are checked against `rules` (ids and names).
 * Throws InputError with the file:line:col of the offending key or value.
 */
export function loadConfig(file: string, rules: RuleMeta[]): { config: Config; file: string } {
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    fail(file, 1, 1, `cannot read configuration: ${(e as { code?: string }).code ?? (e as Error).message}`, 'config-unreadable');
  }
  return { config: parseConfig(text, file, rules), file };
}

/** Validates configuration text (the pure part of loadConfig). `file` names it in errors; `baseDir` defaults to its directory. */
export function parseConfig(text: string, file: string, rules: RuleMeta[]): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text.replace(/^\uFEFF/, ''), { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0];
    const pos = lineCounter.linePos(err.pos[0]);
    fail(file, pos.line, pos.col, `invalid YAML: ${err.message.split('\n')[0]}`, 'config-yaml');
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    fail(file, 1, 1, `invalid YAML: ${(e as Error).message}`, 'config-yaml');
  }
  if (data === null || data === undefined) data = {};

  const at = (path: (string | number)[], key = false) => lineCounter.linePos(offsetOf(doc, path, key));
  const problems: { offset: number; path: (string | number)[]; message: string; key: boolean }[] = [];
  const add = (path: (string | number)[], message: string, key = false) =>
    problems.push({ offset: offsetOf(doc, path, key), path, message, key });

  if (typeof data !== 'object' || Array.isArray(data)) {
    const pos = at([]);
    fail(file, pos.line, pos.col, 'the configuration must be a mapping (rules:, executor:, ignore: ...)');
  }

  if (!validate(data)) {
    const errors = validate.errors ?? [];
    const enumPaths = new Set(errors.filter((e) => e.keyword === 'enum').map((e) => e.instancePath));
    for (const e of errors) {
      const path = pointer(e.instancePath);
      // Rule keys and values are checked below against the rule list given.
      if (path[0] === 'rules' && (path.length > 1 || e.keyword === 'additionalProperties')) continue;
      if (e.keyword === 'type' && enumPaths.has(e.instancePath)) continue;
      describe(e, path, add);
    }
  }

  const rulesValue = (data as Record<string, unknown>).rules;
  if (rulesValue && typeof rulesValue === 'object' && !Array.isArray(rulesValue)) {
    const known = new Set(rules.flatMap((r) => [r.id, r.name]));
    for (const [key, value] of Object.entries(rulesValue as Record<string, unknown>)) {
      if (!known.has(key)) {
        add(['rules', key], `${dotted(['rules', key])}: unknown rule${suggest(key, rules)}`, true);
      } else if (typeof value !== 'string' || !(SETTINGS as readonly string[]).includes(value)) {
        add(['rules', key], `${dotted(['rules', key])}: must be one of ${SETTINGS.join(', ')}`);
      }
    }
  }

  if (problems.length > 0) {
    problems.sort((a, b) => a.offset - b.offset);
    const first = problems[0];
    const pos = lineCounter.linePos(first.offset);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    fail(file, pos.line, pos.col, first.message + more);
  }

  const raw = data as {
    rules?: Record<string, RuleSetting>;
    executor?: Executor;
    severityThreshold?: Severity;
    maxWarnings?: number;
    servicesComponent?: string;
    fixStyle?: 'library' | 'guard';
    ignore?: { files?: string[]; jobs?: string[] };
    map?: Record<string, string>;
  };
  const config: Config = {
    rules: { ...(raw.rules ?? {}) },
    ignore: { files: [...(raw.ignore?.files ?? [])], jobs: [...(raw.ignore?.jobs ?? [])] },
    baseDir: dirname(resolve(file)),
  };
  if (raw.executor !== undefined) config.executor = raw.executor;
  if (raw.severityThreshold !== undefined) config.severityThreshold = raw.severityThreshold;
  if (raw.maxWarnings !== undefined) config.maxWarnings = raw.maxWarnings;
  if (raw.map !== undefined) {
    config.map = {};
    for (const [project, dir] of Object.entries(raw.map)) config.map[project.replace(/^\/+|\/+$/g, '')] = resolve(config.baseDir!, dir);
  }
  if (raw.servicesComponent !== undefined) config.servicesComponent = raw.servicesComponent;
  if (raw.fixStyle !== undefined) config.fixStyle = raw.fixStyle;
  return config;
}

/** The effective setting of a rule: the last key naming it (by id or name), else its default severity. */
export function ruleSetting(config: Config, meta: RuleMeta): RuleSetting {
  let setting: RuleSetting = meta.defaultSeverity;
  for (const [key, value] of Object.entries(config.rules)) {
    if (key === meta.id || key === meta.name) setting = value;
  }
  return setting;
}

const matchers = new WeakMap<Config, { files: (p: string) => boolean; jobs: (p: string) => boolean }>();

/**
 * Whether a file (absolute, or relative to the configuration's directory) or a job is ignored.
 * Globs are picomatch globs; dot files match.
 */
export function isIgnored(config: Config, file: string, jobName?: string): boolean {
  let m = matchers.get(config);
  if (!m) {
    const none = () => false;
    m = {
      files: config.ignore.files.length ? picomatch(config.ignore.files, { dot: true }) : none,
      jobs: config.ignore.jobs.length ? picomatch(config.ignore.jobs, { dot: true }) : none,
    };
    matchers.set(config, m);
  }
  const given = file.replace(/^(\.\/)+/, '');
  const base = config.baseDir;
  const rel = base && isAbsolute(file) ? relative(base, file) : given;
  if (m.files(rel) || m.files(given)) return true;
  return jobName !== undefined && m.jobs(jobName);
}

function pointer(instancePath: string): (string | number)[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

function dotted(path: (string | number)[]): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || '(top level)';
}

function describe(
  e: ValidationError,
  path: (string | number)[],
  add: (path: (string | number)[], message: string, key?: boolean) => void,
): void {
  const p = e.params;
  switch (e.keyword) {
    case 'additionalProperties': {
      const keyPath = [...path, String(p.additionalProperty)];
      add(keyPath, `${dotted(keyPath)}: unknown key`, true);
      return;
    }
    case 'enum':
      add(path, `${dotted(path)}: must be one of ${(p.allowedValues as unknown[]).join(', ')}`);
      return;
    default:
      add(path, `${dotted(path)}: ${e.message ?? e.keyword}`);
  }
}

function suggest(key: string, rules: RuleMeta[]): string {
  const lower = key.toLowerCase();
  const hit = rules.find((r) => r.id.toLowerCase() === lower || r.name.toLowerCase() === lower);
  if (hit) return ` (did you mean ${hit.id} / ${hit.name}?)`;
  return rules.length ? ` (known: ${rules.map((r) => r.id).join(', ')})` : ' (no rules are known)';
}

/** Offset in the source of the node at `path` (its key when `key`), or of the nearest existing parent. */
function offsetOf(doc: Document, path: (string | number)[], key: boolean): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  for (let i = 0; i < path.length; i++) {
    if (isAlias(node)) node = node.resolve(doc);
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
      if (!pair) return offset;
      if (key && i === path.length - 1) return rangeStart(pair.key) ?? offset;
      node = pair.value;
      offset = rangeStart(node) ?? rangeStart(pair.key) ?? offset;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
