/** `ci-bgsafe gen`: parsed options -> spec -> generated text -> stdout or an atomically written file. */
import { resolve } from 'node:path';
import { writeFileAtomic } from '../atomic.js';
import { EXIT, type CliIO } from '../cli/io.js';
import { InputError } from '../types.js';
import { generate, loadGenSpec, checkName, type GenSpec, type GenFormat, type GenShell, type OnLeak, type ServiceSpec } from './index.js';

function usage(message: string): never {
  throw new InputError({ severity: 'error', code: 'gen-usage', message, file: '<command line>', line: 1, column: 1 });
}

function list(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v.map(String) : [String(v)];
}

function pair(option: string, value: string, what: string): [string, string] {
  const i = value.indexOf('=');
  if (i <= 0) usage(`${option} ${value}: expected NAME=${what}`);
  const name = value.slice(0, i);
  checkName(name, `${option} ${value}`);
  return [name, value.slice(i + 1)];
}

function seconds(option: string, v: unknown, min: number): number | undefined {
  if (v === undefined) return undefined;
  const s = String(v);
  if (!/^\d+$/.test(s) || Number(s) < min) usage(`${option} ${s}: expected whole seconds (at least ${min})`);
  return Number(s);
}

/** Builds the spec from `--spec` and the command-line options (which add to or refine the file). */
export function specFromOptions(opts: Record<string, unknown>, cwd: string): GenSpec {
  const spec: GenSpec = opts.spec ? loadGenSpec(resolve(cwd, String(opts.spec)), String(opts.spec)) : { services: [] };
  const byName = new Map<string, ServiceSpec>(spec.services.map((s) => [s.name, s]));
  const need = (option: string, name: string): ServiceSpec => {
    const s = byName.get(name);
    if (!s) usage(`${option} ${name}: no service named "${name}" (define it with --service ${name}=COMMAND)`);
    return s;
  };
  for (const v of list(opts.service)) {
    const [name, command] = pair('--service', v, 'COMMAND');
    if (byName.has(name)) usage(`--service ${name}: a service named "${name}" is already defined`);
    if (command.trim() === '') usage(`--service ${name}: the command is empty`);
    const s: ServiceSpec = { name, command };
    spec.services.push(s);
    byName.set(name, s);
  }
  for (const v of list(opts.ready)) {
    const [name, probe] = pair('--ready', v, 'PROBE');
    need('--ready', name).ready = probe;
  }
  for (const v of list(opts.onExit)) {
    const [name, mode] = pair('--on-exit', v, 'fail|ignore');
    if (mode !== 'fail' && mode !== 'ignore') usage(`--on-exit ${v}: expected fail or ignore`);
    need('--on-exit', name).onExit = mode;
  }
  for (const name of list(opts.sudo)) {
    checkName(name, '--sudo');
    need('--sudo', name).sudo = true;
  }
  const grace = seconds('--grace', opts.grace, 0);
  if (grace !== undefined) spec.grace = grace;
  const readyTimeout = seconds('--ready-timeout', opts.readyTimeout, 1);
  if (readyTimeout !== undefined) spec.readyTimeout = readyTimeout;
  return spec;
}


/** Runs `ci-bgsafe gen` with options parsed by the command from `configureGenCommand`. Returns an EXIT code. */
export async function runGen(opts: Record<string, unknown>, io: CliIO): Promise<number> {
  try {
    const spec = specFromOptions(opts, io.cwd);
    if (opts.format === 'guard') {
      const extra = ['service', 'ready', 'readyTimeout', 'onExit', 'sudo', 'spec'].find((k) => opts[k] !== undefined);
      if (extra !== undefined) {
        usage(`--format guard takes only --shell, --grace, --on-leak and -o (not --${extra.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}): the guard stops whatever the job leaves running`);
      }
    } else if (opts.onLeak !== undefined) {
      usage('--on-leak goes with --format guard');
    }
    if (spec.services.length === 0 && opts.format !== 'library' && opts.format !== 'sudoers' && opts.format !== 'guard') {
      usage('no service given: use --service NAME=COMMAND or --spec FILE (or --format library for the functions alone)');
    }
    const text = generate(spec, {
      format: (opts.format as GenFormat | undefined) ?? 'script',
      ...(opts.shell !== undefined ? { shell: opts.shell as GenShell } : {}),
      ...(opts.jobName !== undefined ? { jobName: String(opts.jobName) } : {}),
      ...(opts.onLeak !== undefined ? { onLeak: opts.onLeak as OnLeak } : {}),
    });
    if (opts.output !== undefined) {
      const file = resolve(io.cwd, String(opts.output));
      try {
        writeFileAtomic(file, text);
      } catch (e) {
        usage(`-o ${String(opts.output)}: cannot write: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    } else {
      io.out(text);
    }
    return EXIT.OK;
  } catch (e) {
    if (e instanceof InputError) {
      const d = e.diagnostic;
      io.err(d.file === '<command line>' ? `ci-bgsafe gen: ${d.message}\n` : `${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`ci-bgsafe gen: internal error: ${(e as Error).message}\n`);
    return EXIT.INTERNAL;
  }
}
