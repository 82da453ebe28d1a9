/**
 * Every command that README.md and the docs show is run as written, with the built CLI as
 * `ci-bgsafe` on the PATH: the lines of ```sh blocks, the `$ ` lines of ```console blocks, and inline
 * `ci-bgsafe …` spans (a span with a placeholder, `…`, `<…>`, `path/to/` or an upper-case word
 * such as NAME, is a pattern, not a command). A command works when it exits 0, or 1 for `lint`
 * (findings, the point of the example); `lsp` gets an editor's opening and closing messages, its
 * standard input left open as an editor leaves it, and must answer and exit 0. Each command runs in a scratch folder of its own holding
 * the example pipeline (also as `.gitlab-ci.yml`), the components and links to the built package.
 */
import { spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Steps not run, each for its reason (a `&&` list runs without them). */
const NOT_RUN: Record<string, string> = {
  'npm ci': 'installs the dependencies the suite is running with',
  'sh scripts/test-deps.sh': 'installs Debian packages',
  'npm run build': '`npm test` builds dist/ before the suite',
  'npm link': 'installs the command for the whole machine',
  'npm test': 'the suite itself',
  'UPDATE_GOLDEN=1 npm test': 'the suite itself, rewriting goldens',
  'npm run bench': 'the benchmark takes minutes; bench/ has its own test',
  'npm run typecheck': 'type-checks the checkout, not a behaviour; run before every merge (CONTRIBUTING.md)',
  'npm run build:site': 'test/site builds the playground and drives it in Chromium',
  'python3 -m http.server -d site/dist 8000': 'serves the playground until stopped; test/site serves and opens it',
  'cd editors/vscode': 'the VS Code extension is built from the registry and installed into VS Code, neither of which the suite does',
  'npm install': 'installs the VS Code extension\'s own dependencies from the registry',
  'npm run package': 'packages the VS Code extension with @vscode/vsce',
  'code --install-extension ci-bgsafe-0.1.0.vsix': 'needs VS Code',
  'node scripts/build-components.mjs': 'rewrites templates/services.yml in the checkout while other tests read it; test/components checks that file is what it writes',
};
/** Code spans that name an option in a sentence, not a command to run. */
const MENTIONS = new Set(['ci-bgsafe gen', 'ci-bgsafe gen --shell sh']);
/** A synopsis of the generated shell functions (docs/components.md), which test/gen runs for real. */
const SYNOPSIS = /^ci_bgsafe_(start|stop) [A-Z]/;

const ROOT = join(import.meta.dirname, '..', '..');
const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`),
  ...readdirSync(join(ROOT, 'docs', 'rules')).filter((f) => f.endsWith('.md')).map((f) => `docs/rules/${f}`),
];

interface Shown {
  where: string;
  command: string;
}

/** The commands a page shows, by the rules above. */
function commandsIn(markdown: string, page: string): Shown[] {
  const out: Shown[] = [];
  const lines = markdown.split('\n');
  let fence: { lang: string } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const open = /^```\s*(\S*)/.exec(line);
    if (open) {
      fence = fence ? undefined : { lang: open[1]! };
      continue;
    }
    if (fence) {
      if (fence.lang !== 'sh' && fence.lang !== 'console') continue;
      let text = fence.lang === 'console' ? (line.startsWith('$ ') ? line.slice(2) : '') : line;
      const start = i + 1;
      while (text.endsWith('\\') && i + 1 < lines.length) text = `${text.slice(0, -1).trimEnd()} ${lines[++i]!.trim()}`;
      text = text.replace(/\s+#\s.*$/, '').trim();
      if (text) out.push({ where: `${page}:${start}`, command: text });
      continue;
    }
    for (const m of line.matchAll(/`(ci-bgsafe (?:[a-z]|--)[^`]*)`/g)) {
      const span = m[1]!;
      if (/…|<|\b[A-Z]{3,}\b|path\/to\//.test(span)) continue;
      out.push({ where: `${page}:${i + 1}`, command: span });
    }
  }
  return out;
}

/** The command without its steps that are not run, or undefined when nothing is left. */
function runnable(command: string): string | undefined {
  if (MENTIONS.has(command) || SYNOPSIS.test(command)) return undefined;
  const steps = command.split(/\s+&&\s+/).filter((s) => !(s in NOT_RUN));
  return steps.length ? steps.join(' && ') : undefined;
}

const shown = PAGES.flatMap((p) => commandsIn(readFileSync(join(ROOT, p), 'utf8'), p));
/** Each distinct command once, with every place that shows it. */
const toRun = [
  ...shown
    .reduce((m, s) => {
      const command = runnable(s.command);
      if (command) m.set(command, [...(m.get(command) ?? []), s.where]);
      return m;
    }, new Map<string, string[]>())
    .entries(),
].map(([command, where]) => ({ command, where: where.join(', ') }));

let tmp: string;
let bin: string;
let n = 0;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ci-bgsafe-docs-'));
  bin = join(tmp, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ci-bgsafe'), `#!/bin/sh\nexec "${process.execPath}" "${join(ROOT, 'bin', 'ci-bgsafe.cjs')}" "$@"\n`);
  chmodSync(join(bin, 'ci-bgsafe'), 0o755);
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** An editor's first and last messages to a language server: initialize, initialized, shutdown, exit. */
const LSP_SESSION = [
  { jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } },
  { jsonrpc: '2.0', method: 'initialized', params: {} },
  { jsonrpc: '2.0', id: 2, method: 'shutdown' },
  { jsonrpc: '2.0', method: 'exit' },
]
  .map((m) => JSON.stringify(m))
  .map((body) => `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  .join('');

/**
 * Runs a command with bash in a fresh scratch folder. With `input`, standard input gets it and stays
 * open until the command exits; otherwise it is closed. A command still running after 60 s is killed.
 */
function run(command: string, input?: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', command], {
      cwd: scratch(),
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: '1' },
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d));
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.stdin?.on('error', () => undefined);
    child.stdin?.write(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      child.stdin?.destroy();
      resolve({ status, stdout, stderr });
    });
  });
}

/** A fresh scratch folder: the example and the components, and links to the built package. */
function scratch(): string {
  const dir = join(tmp, String(++n));
  mkdirSync(dir);
  for (const d of ['bin', 'dist', 'node_modules', 'package.json', 'schemas']) symlinkSync(join(ROOT, d), join(dir, d));
  for (const d of ['examples', 'templates']) cpSync(join(ROOT, d), join(dir, d), { recursive: true });
  cpSync(join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml'), join(dir, '.gitlab-ci.yml'));
  return dir;
}

describe('commands shown in README.md and docs/', () => {
  it('are found (the README shows lint and gen)', () => {
    expect(toRun.some((c) => c.where.startsWith('README.md') && /ci-bgsafe(\.cjs)? lint /.test(c.command))).toBe(true);
    expect(toRun.some((c) => c.where.startsWith('README.md') && c.command.startsWith('ci-bgsafe gen '))).toBe(true);
  });

  it('leave out only the steps listed, each of which a page shows', () => {
    const steps = new Set(shown.flatMap((s) => s.command.split(/\s+&&\s+/)));
    for (const step of Object.keys(NOT_RUN)) expect(steps, `"${step}" is no longer shown: drop it from NOT_RUN`).toContain(step);
    for (const m of MENTIONS) expect(shown.map((s) => s.command)).toContain(m);
  });

  it.each(toRun.map((c) => [c.command, c.where] as const))('%s (%s)', async (command) => {
    const lsp = /^ci-bgsafe lsp\b/.test(command);
    const r = await run(command, lsp ? LSP_SESSION : undefined);
    const ok = /\blint\b/.test(command) ? [0, 1] : [0];
    expect(ok, `exit ${r.status}\n${r.stderr}${r.stdout.slice(0, 2000)}`).toContain(r.status);
    if (lsp) expect(r.stdout).toContain('"serverInfo":{"name":"ci-bgsafe"}');
  });
});
