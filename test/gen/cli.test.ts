/** `ci-bgsafe gen` in-process: options, errors and exit codes, -o, goldens, shellcheck, YAML forms, lint. */
import { describe, it, expect, afterAll } from 'vitest';
import { Command, CommanderError } from 'commander';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync as mkdtempRaw, readFileSync, writeFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { configureGenCommand } from '../../src/gen/options.js';
import { runGen } from '../../src/gen/run.js';
import { generate, type GenSpec } from '../../src/gen/index.js';
import { renderTemplate } from '../../src/gen/render.js';
import { InputError } from '../../src/types.js';
import { EXIT, type CliIO } from '../../src/cli/io.js';
import { expectGolden } from '../golden.js';

const here = dirname(fileURLToPath(import.meta.url));
const fixtures = join(here, 'fixtures');
const execFileP = promisify(execFile);
const tempDirs: string[] = [];
/** A temp dir removed after the tests. */
function mkdtempSync(prefix: string): string {
  const d = mkdtempRaw(prefix);
  tempDirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
});

interface Run {
  code: number;
  out: string;
  err: string;
}

async function gen(args: string[], cwd = fixtures): Promise<Run> {
  let out = '';
  let err = '';
  const io: CliIO = {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    readStdin: async () => '',
    cwd,
    env: {},
    isTTY: false,
  };
  const cmd = configureGenCommand(new Command('gen').exitOverride());
  cmd.configureOutput({ writeOut: (t) => void (out += t), writeErr: (t) => void (err += t) });
  cmd.parse(args, { from: 'user' });
  const code = await runGen(cmd.opts(), io);
  return { code, out, err };
}

const VPN = 'vpn=openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf';

/** Compares with test/gen/golden/NAME; UPDATE_GOLDEN=1 rewrites it. */
function golden(name: string, text: string): void {
  expectGolden(join(here, 'golden', name), text);
}

describe('gen: options and output', () => {
  it('prints a bash preamble: set -Ee and every trap (by name) before the first service starts', async () => {
    const r = await gen(['--service', VPN]);
    expect(r.code).toBe(EXIT.OK);
    expect(r.err).toBe('');
    const lines = r.out.split('\n');
    const setE = lines.indexOf('set -Ee');
    const start = lines.findIndex((l) => l.startsWith('ci_bgsafe_start vpn'));
    expect(setE).toBeGreaterThanOrEqual(0);
    for (const sig of ['EXIT', 'HUP', 'INT', 'QUIT', 'ABRT', 'TERM', 'ERR']) {
      const t = lines.findIndex((l) => l.startsWith('trap ') && l.endsWith(` ${sig}`));
      expect(t, sig).toBeGreaterThan(setE);
      expect(t, sig).toBeLessThan(start);
    }
    expect(r.out).not.toMatch(/^trap .* [0-9]+$/m);
    expect(lines[start]).toBe(`ci_bgsafe_start vpn -- bash -c 'openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf'`);
  });

  it('runs the command exactly as written (quotes, $VAR, redirections survive quoting)', async () => {
    const r = await gen(['--service', `mock=node "my server.js" --port "$PORT" > out.log 2>&1`, '--shell', 'sh']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`ci_bgsafe_start mock -- sh -c 'node "my server.js" --port "$PORT" > out.log 2>&1'`);
    expect(r.out).not.toContain('ERR');
    expect(r.out).toContain('\nset -e\n');
  });

  it('passes probes, timeouts and on-exit to ci_bgsafe_start', async () => {
    const r = await gen(['--service', 'db=postgres', '--ready', 'db=tcp:localhost:5432', '--on-exit', 'db=ignore', '--ready-timeout', '45', '--grace', '3']);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`ci_bgsafe_start db --ready tcp:localhost:5432 --on-exit ignore -- bash -c postgres`);
    expect(r.out).toContain('CI_BGSAFE_READY_TIMEOUT="${CI_BGSAFE_READY_TIMEOUT:-45}"');
    expect(r.out).toContain('CI_BGSAFE_GRACE="${CI_BGSAFE_GRACE:-3}"');
  });

  it('shows examples in --help', async () => {
    let out = '';
    const cmd = configureGenCommand(new Command('gen').exitOverride());
    cmd.configureOutput({ writeOut: (t) => void (out += t), writeErr: (t) => void (out += t) });
    expect(() => cmd.parse(['--help'], { from: 'user' })).toThrow(CommanderError);
    expect(out).toContain('Examples:');
    expect(out).toContain('--ready <NAME=PROBE>');
    expect(out).toContain('--format <FORMAT>');
  });

  it('rejects an unknown --format through commander', async () => {
    await expect(gen(['--service', 'a=b', '--format', 'yaml'])).rejects.toThrow(/Allowed choices are script, job, reference, library, sudoers/);
  });
});

describe('gen: usage errors exit 2 with one clear line', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['bad name', ['--service', 'VPN=openfortivpn'], /^ci-bgsafe gen: --service VPN=openfortivpn: bad service name "VPN" \(expected a lower-case letter/],
    ['missing =', ['--service', 'vpn'], /^ci-bgsafe gen: --service vpn: expected NAME=COMMAND$/],
    ['bad probe kind', ['--service', 'a=b', '--ready', 'a=udp:x:1'], /^ci-bgsafe gen: --ready a: bad probe "udp:x:1" \(expected tcp:HOST:PORT, http:URL, file:PATH or cmd:COMMAND\)$/],
    ['tcp without port', ['--service', 'a=b', '--ready', 'a=tcp:localhost'], /bad probe "tcp:localhost" \(expected tcp:HOST:PORT/],
    ['port out of range', ['--service', 'a=b', '--ready', 'a=tcp:localhost:70000'], /port 70000 is not in 1\.\.65535/],
    ['http without URL', ['--service', 'a=b', '--ready', 'a=http:localhost:8080'], /expected http:URL with an http:\/\/ or https:\/\/ URL/],
    ['probe for an unknown service', ['--service', 'a=b', '--ready', 'web=file:x'], /^ci-bgsafe gen: --ready web: no service named "web" \(define it with --service web=COMMAND\)$/],
    ['duplicate service', ['--service', 'a=b', '--service', 'a=c'], /a service named "a" is already defined/],
    ['bad on-exit', ['--service', 'a=b', '--on-exit', 'a=restart'], /--on-exit a=restart: expected fail or ignore/],
    ['bad grace', ['--service', 'a=b', '--grace', '2.5'], /--grace 2\.5: expected whole seconds/],
    ['no service', [], /no service given/],
    ['sudo without absolute path', ['--service', VPN, '--sudo', 'vpn'], /--sudo vpn: the command must start with an absolute path \(sudoers needs it\), e\.g\. \/usr\/bin\/openfortivpn/],
    ['sudo with shell syntax', ['--service', 'vpn=/usr/bin/x -c "$HOME/a b"', '--sudo', 'vpn'], /--sudo vpn: the command must be plain words/],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const r = await gen(args);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.out).toBe('');
      expect(r.err.trimEnd()).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    });
  }
});

describe('gen --format guard', () => {
  it('prints the guard: grace, on-leak and the cookie, no services; the EXIT trap is set last', async () => {
    const r = await gen(['--format', 'guard', '--grace', '4', '--on-leak', 'fail', '--shell', 'sh']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.err).toBe('');
    expect(r.out).toContain('CI_BGSAFE_GUARD_GRACE="${CI_BGSAFE_GUARD_GRACE:-4}"');
    expect(r.out).toContain('CI_BGSAFE_GUARD_ON_LEAK="${CI_BGSAFE_GUARD_ON_LEAK:-fail}"');
    expect(r.out).toContain('export CI_BGSAFE_GUARD');
    expect(r.out).not.toMatch(/^ci_bgsafe_start /m);
    expect(r.out).not.toContain('BASHPID');
    // Outside its runtime (the watcher's code, run apart), the guard sets one trap: EXIT.
    const traps = r.out.replace(/CI_BGSAFE_GUARD_RT='[^']*'/, '').split('\n').filter((l) => /^\s*trap /.test(l));
    expect(traps).toEqual([`      trap 'ci_bgsafe_guard_exit "$?"' EXIT`]);
  });

  it('defaults: bash, grace 10, on-leak warn', async () => {
    const r = await gen(['--format', 'guard']);
    expect(r.code).toBe(EXIT.OK);
    expect(r.out).toContain('CI_BGSAFE_GUARD_GRACE="${CI_BGSAFE_GUARD_GRACE:-10}"');
    expect(r.out).toContain('CI_BGSAFE_GUARD_ON_LEAK="${CI_BGSAFE_GUARD_ON_LEAK:-warn}"');
    expect(r.out).toContain('ci_bgsafe_self=$BASHPID');
  });

  const cases: Array<[string, string[], RegExp]> = [
    ['a service', ['--format', 'guard', '--service', VPN], /^ci-bgsafe gen: --format guard takes only --shell, --grace, --on-leak and -o \(not --service\)/],
    ['a spec file', ['--format', 'guard', '--spec', 'services.yml'], /\(not --spec\)/],
    ['--on-leak without the guard', ['--service', VPN, '--on-leak', 'fail'], /^ci-bgsafe gen: --on-leak goes with --format guard$/],
    ['a bad grace', ['--format', 'guard', '--grace', '1.5'], /^ci-bgsafe gen: --grace 1\.5: expected whole seconds/],
  ];
  for (const [what, args, message] of cases) {
    it(`rejects ${what} (exit 2, one line)`, async () => {
      const r = await gen(args);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.out).toBe('');
      expect(r.err.trimEnd()).toMatch(message);
      expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    });
  }

  it('rejects a bad --on-leak through commander', () => {
    const cmd = configureGenCommand(new Command('gen').exitOverride());
    cmd.configureOutput({ writeOut: () => {}, writeErr: () => {} });
    expect(() => cmd.parse(['--format', 'guard', '--on-leak', 'kill'], { from: 'user' })).toThrow(CommanderError);
  });

  it('generate() refuses services and a bad onLeak', () => {
    expect(() => generate({ services: [{ name: 'a', command: 'a' }] }, { format: 'guard' })).toThrow(/--format guard takes no services/);
    expect(() => generate({ services: [] }, { format: 'guard', onLeak: 'kill' as never })).toThrow(/--on-leak: expected warn or fail/);
  });
});

describe('gen --spec FILE', () => {
  it('reads services from YAML; command-line options add to it', async () => {
    const r = await gen(['--spec', 'services.yml', '--service', 'xvfb=Xvfb :99', '--ready', 'xvfb=file:/tmp/.X11-unix/X99']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('ci_bgsafe_start vpn --sudo -- /usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf');
    expect(r.out).toContain(`ci_bgsafe_start mock --ready http:http://localhost:8080/health --ready-timeout 60 -- bash -c 'node mock-server.js --port "$MOCK_PORT" > mock.out'`);
    expect(r.out).toContain(`ci_bgsafe_start xvfb --ready file:/tmp/.X11-unix/X99 -- bash -c 'Xvfb :99'`);
    expect(r.out).toContain('CI_BGSAFE_GRACE="${CI_BGSAFE_GRACE:-5}"');
  });

  const errors: Array<[string, string]> = [
    ['bad-key.yml', 'bad-key.yml:3:5: /services/0: unknown key "comand"'],
    ['bad-probe.yml', 'bad-probe.yml:5:5: --ready db: bad probe "tcp:localhost" (expected tcp:HOST:PORT, e.g. tcp:localhost:5432)'],
    ['bad-name.yml', 'bad-name.yml:4:11: /services/1/name: must match pattern "^[a-z][a-z0-9_-]{0,63}$"'],
    ['missing.yml', 'missing.yml:1:1: cannot read spec file: ENOENT'],
  ];
  for (const [file, message] of errors) {
    it(`reports ${file} at file:line:col`, async () => {
      const r = await gen(['--spec', file]);
      expect(r.code).toBe(EXIT.USAGE);
      expect(r.err).toBe(`${message}\n`);
    });
  }

  it('reports YAML syntax errors at file:line:col', async () => {
    const r = await gen(['--spec', 'bad-yaml.yml']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/^bad-yaml\.yml:\d+:\d+: Missing closing "quote\n$/);
  });
});

describe('gen -o FILE', () => {
  it('writes the file atomically (nothing on stdout, no temp file left)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-gen-o-'));
    writeFileSync(join(dir, 'pre.sh'), 'old content\n');
    const r = await gen(['--service', VPN, '-o', 'pre.sh'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    const stdout = await gen(['--service', VPN], dir);
    expect(readFileSync(join(dir, 'pre.sh'), 'utf8')).toBe(stdout.out);
    expect(readdirSync(dir)).toEqual(['pre.sh']);
  });

  it('fails with exit 2 when the folder does not exist', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-gen-o-'));
    const r = await gen(['--service', VPN, '-o', 'no/such/dir/pre.sh'], dir);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.err).toMatch(/^ci-bgsafe gen: -o no\/such\/dir\/pre\.sh: cannot write: ENOENT\n$/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('generate() (library API)', () => {
  it('throws InputError on bad input', () => {
    expect(() => generate({ services: [{ name: '1x', command: 'a' }] })).toThrow(InputError);
    expect(() => generate({ services: [{ name: 'a', command: 'a', ready: 'tcp:x' }] })).toThrow(/bad probe/);
    expect(() => generate({ services: [] }, { format: 'nope' as never })).toThrow(/--format/);
  });
});

const SPEC: GenSpec = {
  grace: 5,
  readyTimeout: 20,
  services: [
    { name: 'vpn', command: '/usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf', sudo: true },
    { name: 'mock', command: `node mock-server.js --port "$MOCK_PORT"`, ready: 'http:http://localhost:8080/health', readyTimeout: 60 },
    { name: 'xvfb', command: 'Xvfb :99 -screen 0 1280x1024x24', ready: 'file:/tmp/.X11-unix/X99', onExit: 'ignore' },
  ],
};

describe('goldens (UPDATE_GOLDEN=1 to rewrite)', () => {
  for (const format of ['script', 'job', 'reference', 'library', 'sudoers'] as const) {
    for (const shell of ['bash', 'sh'] as const) {
      if (format === 'sudoers' && shell === 'sh') continue;
      it(`${format} (${shell})`, () => golden(`${format}.${shell}.out`, generate(SPEC, { format, shell })));
    }
  }

  for (const shell of ['bash', 'sh'] as const) {
    it(`guard (${shell})`, () => golden(`guard.${shell}.out`, generate({ services: [], grace: 5 }, { format: 'guard', shell, onLeak: 'fail' })));
  }

  it('sudoers lists exactly the whitelisted command lines, no wildcards', () => {
    const text = generate(SPEC, { format: 'sudoers' });
    const rules = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(rules).toEqual([
      // the job guard's cookie, kept through sudo's env_reset
      'Defaults:gitlab-runner env_keep += "CI_BGSAFE_GUARD"',
      'gitlab-runner ALL=(root) NOPASSWD: /usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf',
      'gitlab-runner ALL=(root) NOPASSWD: /usr/bin/pkill -TERM -x -f /usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf',
      'gitlab-runner ALL=(root) NOPASSWD: /usr/bin/pkill -KILL -x -f /usr/bin/openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf',
    ]);
    expect(text).not.toContain('*');
    expect(text).toMatch(/readable by root only/);
  });
});

/** Shell code in every form, as shellcheck sees it. */
function shellTexts(format: 'script' | 'library' | 'job' | 'reference', shell: 'bash' | 'sh'): string[] {
  const text = generate(SPEC, { format, shell });
  if (format === 'script' || format === 'library') return [text];
  const doc = parse(text) as Record<string, Record<string, string[]>>;
  if (format === 'job') return [doc['job-with-services']!.script!.join('\n')];
  return [doc['.ci-bgsafe']!.library!.join('\n') + '\n' + doc['.ci-bgsafe']!.start!.join('\n')];
}

describe('shellcheck (no blanket disables)', () => {
  it.concurrent.each(
    (['script', 'library', 'job', 'reference'] as const).flatMap((f) => (['bash', 'sh'] as const).map((s) => [f, s] as const)),
  )('%s --shell %s is clean', async (format, shell) => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-sc-'));
    const file = join(dir, 'x.sh');
    writeFileSync(file, shellTexts(format, shell).join('\n'));
    const text = readFileSync(file, 'utf8');
    expect(text).not.toMatch(/shellcheck disable=all|shellcheck shell=/);
    const r = await execFileP('shellcheck', ['-s', shell, '-S', 'style', file]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it.each(['runtime.sh.ejs', 'guard-runtime.sh.ejs'])('the embedded runtime %s is clean POSIX sh on its own', async (name) => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-sc-'));
    const file = join(dir, 'rt.sh');
    // The variables the runtime reads from its arguments are used; shellcheck sees that only in context.
    writeFileSync(file, `# shellcheck disable=SC2034\n${renderTemplate(name, {})}`);
    const r = await execFileP('shellcheck', ['-s', 'sh', '-S', 'style', file]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it.concurrent.each(['bash', 'sh'] as const)('guard --shell %s is clean, and so is the library after it', async (shell) => {
    const dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-sc-'));
    const file = join(dir, 'g.sh');
    writeFileSync(file, [generate({ services: [] }, { format: 'guard', shell, onLeak: 'fail' }), generate(SPEC, { format: 'library', shell })].join('\n'));
    const r = await execFileP('shellcheck', ['-s', shell, '-S', 'style', file]).then(
      () => ({ code: 0, out: '' }),
      (e: { code: number; stdout: string }) => ({ code: e.code, out: e.stdout }),
    );
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('YAML forms', () => {
  it('job: a complete job whose first script item is the script form, with the # language hint', () => {
    const text = generate(SPEC, { format: 'job' });
    expect(text).toMatch(/^ {2}script: # language=bash$/m);
    const doc = parse(text) as Record<string, { script: string[] }>;
    expect(doc['job-with-services']!.script[0]).toBe(generate(SPEC, { format: 'script' }));
  });

  it('reference: a hidden .ci-bgsafe job with library and start parts', () => {
    const doc = parse(generate(SPEC, { format: 'reference', shell: 'sh' })) as Record<string, Record<string, string[]>>;
    expect(Object.keys(doc)).toEqual(['.ci-bgsafe']);
    expect(doc['.ci-bgsafe']!.library![0]).toBe(generate(SPEC, { format: 'library', shell: 'sh' }));
    expect(doc['.ci-bgsafe']!.start![0]).toContain('ci_bgsafe_start vpn --sudo --');
  });

  it('options.ts stays light: it imports commander only (the lint path never loads ejs)', () => {
    const src = readFileSync(join(here, '../../src/gen/options.ts'), 'utf8');
    const imports = [...src.matchAll(/^import .* from '([^']+)'/gm)].map((m) => m[1]);
    expect(imports).toEqual(['commander']);
  });
});
