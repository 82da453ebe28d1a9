/**
 * The generator's public API: `generate(spec, {format, shell})` turns a service spec into a bash or
 * POSIX sh preamble (or a job, a hidden `.ci-bgsafe` job, a library of functions, or sudoers lines).
 * Pure: returns text, throws InputError on bad input, never prints.
 */
import { InputError } from '../types.js';
import { checkSpec, sudoWords } from './spec.js';
import { renderTemplate, packageVersion } from './render.js';
import {
  DEFAULT_GRACE,
  DEFAULT_READY_TIMEOUT,
  GEN_FORMATS,
  GEN_SHELLS,
  ON_LEAK,
  type GenerateOptions,
  type GenSpec,
  type ServiceSpec,
} from './types.js';

export * from './types.js';
export { loadGenSpec, parseGenSpec, probeProblem, checkName, checkSpec } from './spec.js';

/** Quotes a string for any POSIX shell. */
export function shQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** Escapes a word for a sudoers command line (`\`, `,`, `:`, `=` are special there). */
function sudoersWord(w: string): string {
  return w.replace(/[\\,:=]/g, (c) => `\\${c}`);
}

function bad(message: string): never {
  throw new InputError({ severity: 'error', code: 'gen-input', message, file: '<command line>', line: 1, column: 1 });
}

/** The arguments of `ci_bgsafe_start` for one service. */
function startArgs(s: ServiceSpec, shell: 'bash' | 'sh'): string {
  const parts = [s.name];
  if (s.ready !== undefined) parts.push('--ready', shQuote(s.ready));
  if (s.readyTimeout !== undefined) parts.push('--ready-timeout', String(s.readyTimeout));
  if (s.onExit === 'ignore') parts.push('--on-exit', 'ignore');
  if (s.sudo) {
    parts.push('--sudo', '--', ...sudoWords(s));
  } else {
    parts.push('--', shell, '-c', shQuote(s.command));
  }
  return parts.join(' ');
}

/** A runtime (templates/gen/NAME: the services' stop, reconcile and watch, or the guard's watch and sweep) as the body of a single-quoted shell string. */
export function runtimeText(name: 'runtime.sh.ejs' | 'guard-runtime.sh.ejs'): string {
  const text = renderTemplate(name, {})
    .split('\n')
    .filter((l) => l.trim() !== '' && !/^\s*#/.test(l))
    .join('\n');
  if (text.includes("'")) throw new Error(`internal: templates/gen/${name} must not contain single quotes`);
  return `\n${text}\n`;
}

/** Renders the generator output. Throws InputError for bad names, probes, numbers or sudo commands. */
export function generate(spec: GenSpec, options: GenerateOptions = {}): string {
  const format = options.format ?? 'script';
  const shell = options.shell ?? spec.shell ?? 'bash';
  if (!GEN_FORMATS.includes(format)) bad(`--format: expected one of ${GEN_FORMATS.join(', ')}, got "${String(format)}"`);
  if (!GEN_SHELLS.includes(shell)) bad(`--shell: expected bash or sh, got "${String(shell)}"`);
  if (!spec || !Array.isArray(spec.services)) bad('the spec needs a list of services');
  checkSpec(spec);
  const onLeak = options.onLeak ?? 'warn';
  if (!ON_LEAK.includes(onLeak)) bad(`--on-leak: expected warn or fail, got "${String(onLeak)}"`);
  if (format === 'guard' && spec.services.length > 0) bad('--format guard takes no services: the guard stops whatever the job leaves running');
  const jobName = options.jobName ?? 'job-with-services';
  if (!/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/.test(jobName)) bad(`bad job name "${jobName}"`);

  const bash = shell === 'bash';
  const version = packageVersion();
  const services = spec.services.map((s) => ({ ...s, argv: startArgs(s, shell) }));
  const data = {
    bash,
    version,
    grace: spec.grace ?? DEFAULT_GRACE,
    readyTimeout: spec.readyTimeout ?? DEFAULT_READY_TIMEOUT,
    services,
    runtime: runtimeText(format === 'guard' ? 'guard-runtime.sh.ejs' : 'runtime.sh.ejs'),
    onLeak,
    jobName,
    indent: (text: string, n: number) =>
      text
        .replace(/\n+$/, '')
        .split('\n')
        .map((l) => (l === '' ? '' : ' '.repeat(n) + l))
        .join('\n'),
  };
  switch (format) {
    case 'library':
      return renderTemplate('library.sh.ejs', data);
    case 'guard':
      return renderTemplate('guard.sh.ejs', data);
    case 'script':
      return renderTemplate('script.sh.ejs', data);
    case 'job':
      return renderTemplate('job.ejs', { ...data, script: renderTemplate('script.sh.ejs', data) });
    case 'reference':
      return renderTemplate('reference.ejs', {
        ...data,
        library: renderTemplate('library.sh.ejs', data),
        start: renderTemplate('start.sh.ejs', data),
      });
    case 'sudoers': {
      const sudo = spec.services
        .filter((s) => s.sudo)
        .map((s) => {
          const words = sudoWords(s).map(sudoersWord);
          const line = words.join(' ');
          return {
            name: s.name,
            start: line,
            stopTerm: `/usr/bin/pkill -TERM -x -f ${line}`,
            stopKill: `/usr/bin/pkill -KILL -x -f ${line}`,
          };
        });
      return renderTemplate('sudoers.ejs', { ...data, sudo });
    }
  }
}
