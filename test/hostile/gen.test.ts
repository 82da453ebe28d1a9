/**
 * The generator against hostile input: bad service names and spec values are refused with a clear
 * InputError (never a stack trace, never silently quoted into the script), and commands holding
 * quotes, unicode, backslashes or `$( )` run exactly as written (a newline is refused: a command is one line) (checked by running the
 * generated preamble in bash).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { generate, shQuote, type GenSpec, type ServiceSpec } from '../../src/gen/index.js';
import { InputError } from '../../src/types.js';
import { cleanup, tempDir } from './helpers.js';

afterAll(cleanup);

function rejects(spec: GenSpec, says: RegExp): void {
  let error: unknown;
  try {
    generate(spec, { format: 'script', shell: 'bash' });
  } catch (e) {
    error = e;
  }
  expect(error, `accepted: ${JSON.stringify(spec)}`).toBeInstanceOf(InputError);
  const err = error as InputError;
  expect(err.message).toMatch(says);
  expect(err.message).not.toMatch(/\n\s+at /);
}

const svc = (over: Partial<ServiceSpec>): GenSpec => ({ services: [{ name: 'web', command: 'sleep 100', ...over }] });

describe('hostile service names are refused', () => {
  const names = ['', 'A', 'Web', '1web', '-rf', 'a b', '../etc', 'a/b', '$(id)', '`id`', 'a;b', 'a\nb', 'wéb', 'web\u0000', "we'b", 'x'.repeat(10) + ' '];
  it.each(names.map((n) => [JSON.stringify(n), n]))('%s', (_label, name) => {
    rejects(svc({ name }), /bad service name/);
  });
});

describe('hostile spec values are refused', () => {
  const cases: Array<[string, GenSpec, RegExp]> = [
    ['a probe port out of range', svc({ ready: 'tcp:localhost:99999' }), /port 99999/],
    ['a probe with nothing after the kind', svc({ ready: 'cmd:' }), /nothing after/],
    ['a probe of an unknown kind', svc({ ready: 'exec:rm -rf /' }), /bad probe/],
    ['an http probe that is not http', svc({ ready: 'http:file:///etc/passwd' }), /bad probe/],
    ['a tcp probe with a space in the host', svc({ ready: 'tcp:local host:80' }), /bad probe/],
    ['a negative ready timeout', svc({ readyTimeout: -1 }), /ready/i],
    ['a ready timeout that is not a number', svc({ readyTimeout: Number.NaN }), /ready/i],
    ['an infinite ready timeout', svc({ readyTimeout: Number.POSITIVE_INFINITY }), /ready/i],
    ['a negative grace', { services: [{ name: 'web', command: 'sleep 1' }], grace: -5 }, /grace/i],
    ['an unknown on-exit', svc({ onExit: 'maybe' as never }), /exit/i],
    ['a sudo command with a substitution', svc({ sudo: true, command: '/usr/bin/openvpn $(id)' }), /plain words/],
    ['a sudo command that is not an absolute path', svc({ sudo: true, command: 'openvpn --config x' }), /absolute path/],
    ['two services with one name', { services: [{ name: 'web', command: 'a' }, { name: 'web', command: 'b' }] }, /web/],
  ];
  it.each(cases)('%s', (_label, spec, says) => rejects(spec, says));
});

/** Runs a generated bash preamble that starts `command` (which must create result.txt) and returns the file. */
function runService(command: string): { status: number | null; result: string | undefined; output: string } {
  const dir = tempDir('ci-bgsafe-gen-');
  const script = generate(
    { services: [{ name: 'svc', command, ready: 'file:result.txt', readyTimeout: 10 }], grace: 1 },
    { format: 'script', shell: 'bash' },
  );
  const r = spawnSync('bash', ['-c', `${script}\necho preamble-done\n`], {
    cwd: dir,
    env: { ...process.env, CI_PROJECT_DIR: dir, CI_JOB_ID: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const file = join(dir, 'result.txt');
  return { status: r.status, result: existsSync(file) ? readFileSync(file, 'utf8') : undefined, output: `${r.stdout}${r.stderr}` };
}

/** A command that writes `payload` (as data) to result.txt, atomically, then keeps running. */
function writer(payload: string): string {
  return `printf '%s' ${shQuote(payload)} > result.tmp && mv result.tmp result.txt; exec sleep 100`;
}

describe('commands run exactly as written', () => {
  it('quotes, unicode, backslashes, backticks and $( ) in the data reach the service unchanged', () => {
    const payload = fc.string({
      unit: fc.constantFrom('a', ' ', "'", '"', '\\', '\n', '$', '(', ')', '`', 'é', '✓', '🚀', ';', '&', '|', '*', '#', '{', '}', '!', '%', '\t'),
      minLength: 1,
      maxLength: 30,
    });
    fc.assert(
      fc.property(payload, (p) => {
        if (p.includes('\n')) {
          // a command is one line (it becomes one `bash -c` argument and one log header): refused clearly
          rejects({ services: [{ name: 'svc', command: writer(p) }] }, /the command must be one line/);
          return;
        }
        const r = runService(writer(p));
        expect(r.status, r.output).toBe(0);
        expect(r.result, r.output).toBe(p);
      }),
      { numRuns: 12 },
    );
  }, 120_000);

  it('a $( ) written in the command runs in the service when it starts, not when the preamble is generated or defined', () => {
    const r = runService(`echo "$(printf 'sub%st' stitu)-ü-\\"q\\"-'s'" > result.tmp && mv result.tmp result.txt; exec sleep 100`);
    expect(r.status, r.output).toBe(0);
    expect(r.result).toBe(`substitut-ü-"q"-'s'\n`);
  }, 30_000);

  it('a command of several lines is refused with a clear error; joined with ; it runs every part', () => {
    rejects({ services: [{ name: 'svc', command: 'first=1\nsleep 100' }] }, /the command must be one line/);
    const r = runService(`first=1; second=2; echo "$first$second" > result.tmp; mv result.tmp result.txt; exec sleep 100`);
    expect(r.status, r.output).toBe(0);
    expect(r.result).toBe('12\n');
  }, 30_000);
});
