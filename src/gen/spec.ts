/** Reading and checking generator input: `--spec` files and `NAME=VALUE` option values. */
import { LineCounter, parseDocument, isNode } from 'yaml';
import validateGenSpec from '../generated/gen-spec.validate.js';
import { describeErrors } from '../validation.js';
import { readText } from '../host.js';
import { InputError } from '../types.js';
import type { GenSpec, ServiceSpec, OnExit, GenShell } from './types.js';

export const NAME_RE = /^[a-z][a-z0-9_-]*$/;
/** Characters allowed in a `--sudo` command: plain words that need no shell quoting and no sudoers escaping beyond `\`. */
const SUDO_WORD_RE = /^[A-Za-z0-9_@%=:,./-]+$/;

function fail(message: string, file = '<command line>', line = 1, column = 1): never {
  throw new InputError({ severity: 'error', code: 'gen-input', message, file, line, column });
}

/** Checks a service name; `where` names the option or file position in the message. */
export function checkName(name: string, where: string): void {
  if (!NAME_RE.test(name)) {
    fail(`${where}: bad service name "${name}" (expected a lower-case letter, then lower-case letters, digits, _ or -)`);
  }
}

/** Checks a readiness probe; returns the reason it is bad, or null. */
export function probeProblem(probe: string): string | null {
  const m = /^(tcp|http|file|cmd):([\s\S]*)$/.exec(probe);
  if (!m) return `bad probe "${probe}" (expected tcp:HOST:PORT, http:URL, file:PATH or cmd:COMMAND)`;
  const [, kind, rest] = m as unknown as [string, string, string];
  if (rest.trim() === '') return `bad probe "${probe}": nothing after "${kind}:"`;
  if (kind === 'tcp') {
    const t = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):([0-9]+)$/.exec(rest);
    if (!t) return `bad probe "${probe}" (expected tcp:HOST:PORT, e.g. tcp:localhost:5432)`;
    const port = Number(t[2]);
    if (port < 1 || port > 65535) return `bad probe "${probe}": port ${t[2]} is not in 1..65535`;
  }
  if (kind === 'http') {
    let url: URL | undefined;
    try {
      url = new URL(rest);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      return `bad probe "${probe}" (expected http:URL with an http:// or https:// URL, e.g. http:http://localhost:8080/health)`;
    }
  }
  return null;
}

/** Words of a `--sudo` command, or the reason it cannot be whitelisted exactly in sudoers. */
export function sudoWords(s: ServiceSpec): string[] {
  const words = s.command.trim().split(/ +/);
  const bad = words.find((w) => !SUDO_WORD_RE.test(w));
  if (bad !== undefined) {
    fail(`--sudo ${s.name}: the command must be plain words (letters, digits and _@%=:,./-) so that sudoers can allow it exactly; "${bad}" is not`);
  }
  if (!words[0]!.startsWith('/')) {
    fail(`--sudo ${s.name}: the command must start with an absolute path (sudoers needs it), e.g. /usr/bin/${words[0]}`);
  }
  return words;
}

/** Checks a whole spec (names unique, probes, numbers, sudo commands); throws InputError. */
export function checkSpec(spec: GenSpec): void {
  const seen = new Set<string>();
  for (const s of spec.services) {
    checkName(s.name, 'service');
    if (seen.has(s.name)) fail(`service "${s.name}" is defined twice`);
    seen.add(s.name);
    if (typeof s.command !== 'string' || s.command.trim() === '') fail(`service "${s.name}" has an empty command`);
    if (s.command.includes('\n')) fail(`service "${s.name}": the command must be one line`);
    if (s.ready !== undefined) {
      const p = probeProblem(s.ready);
      if (p) fail(`--ready ${s.name}: ${p}`);
      if (s.ready.includes('\n')) fail(`--ready ${s.name}: the probe must be one line`);
    }
    if (s.onExit !== undefined && s.onExit !== 'fail' && s.onExit !== 'ignore') {
      fail(`--on-exit ${s.name}: expected fail or ignore, got "${String(s.onExit)}"`);
    }
    if (s.readyTimeout !== undefined) checkSeconds(s.readyTimeout, `ready timeout of ${s.name}`, 1);
    if (s.sudo) sudoWords(s);
  }
  if (spec.grace !== undefined) checkSeconds(spec.grace, '--grace', 0);
  if (spec.readyTimeout !== undefined) checkSeconds(spec.readyTimeout, '--ready-timeout', 1);
}

function checkSeconds(n: number, what: string, min: number): void {
  if (!Number.isInteger(n) || n < min || n > 86400) fail(`${what}: expected whole seconds from ${min} to 86400, got ${n}`);
}

interface RawService {
  name: string;
  command: string;
  ready?: string;
  'ready-timeout'?: number;
  'on-exit'?: OnExit;
  sudo?: boolean;
}
interface RawSpec {
  shell?: GenShell;
  grace?: number;
  'ready-timeout'?: number;
  services: RawService[];
}

/** Parses and validates a `--spec` YAML text; errors carry file:line:col of the offending value. */
export function parseGenSpec(text: string, file: string): GenSpec {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number) => lc.linePos(offset);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const pos = at(e.pos[0]);
    fail(e.message.split('\n')[0]!, file, pos.line, pos.col);
  }
  const data: unknown = doc.toJS();
  if (!validateGenSpec(data)) {
    const errors = validateGenSpec.errors ?? [];
    // The most specific error first: an unknown key (often a typo) explains a missing required one.
    const rank = (k: string) => (k === 'additionalProperties' ? 0 : k === 'required' ? 2 : 1);
    const first = [...errors].sort((a, b) => rank(a.keyword) - rank(b.keyword))[0]!;
    const path = first.instancePath.split('/').slice(1).map((k) => (/^\d+$/.test(k) ? Number(k) : k.replace(/~1/g, '/').replace(/~0/g, '~')));
    let node: unknown = path.length ? doc.getIn(path, true) : doc.contents;
    if (first.keyword === 'additionalProperties' && typeof first.params.additionalProperty === 'string') {
      const parent = doc.getIn(path, true) ?? doc.contents;
      if (parent && typeof parent === 'object' && 'items' in parent) {
        const pair = (parent as { items: Array<{ key: unknown }> }).items.find(
          (p) => isNode(p.key) && (p.key as { value?: unknown }).value === first.params.additionalProperty,
        );
        if (pair) node = pair.key;
      }
    }
    const offset = isNode(node) && node.range ? node.range[0] : 0;
    const pos = at(offset);
    fail(describeErrors([first])[0]!, file, pos.line, pos.col);
  }
  const raw = data as RawSpec;
  const spec: GenSpec = {
    services: raw.services.map((s) => ({
      name: s.name,
      command: s.command,
      ...(s.ready !== undefined ? { ready: s.ready } : {}),
      ...(s['ready-timeout'] !== undefined ? { readyTimeout: s['ready-timeout'] } : {}),
      ...(s['on-exit'] !== undefined ? { onExit: s['on-exit'] } : {}),
      ...(s.sudo !== undefined ? { sudo: s.sudo } : {}),
    })),
    ...(raw.grace !== undefined ? { grace: raw.grace } : {}),
    ...(raw['ready-timeout'] !== undefined ? { readyTimeout: raw['ready-timeout'] } : {}),
    ...(raw.shell !== undefined ? { shell: raw.shell } : {}),
  };
  // Semantic checks, positioned at the service they concern.
  raw.services.forEach((s, i) => {
    try {
      checkSpec({ services: [spec.services[i]!] });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const node = doc.getIn(['services', i], true);
      const pos = at(isNode(node) && node.range ? node.range[0] : 0);
      fail(e.diagnostic.message, file, pos.line, pos.col);
    }
  });
  try {
    checkSpec(spec);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    fail(e.diagnostic.message, file, 1, 1);
  }
  return spec;
}

/** Reads a `--spec` YAML file (see schemas/gen-spec.schema.json). Throws InputError. */
export function loadGenSpec(file: string, displayName: string = file): GenSpec {
  let text: string;
  try {
    text = readText(file);
  } catch (e) {
    fail(`cannot read spec file: ${(e as { code?: string }).code ?? String(e)}`, displayName, 1, 1);
  }
  return parseGenSpec(text, displayName);
}
