/** Input of the generator: the services a job starts, and how they are waited for and stopped. */

export type GenShell = 'bash' | 'sh';
export type GenFormat = 'script' | 'job' | 'reference' | 'sudoers' | 'library' | 'guard';
export const GEN_FORMATS: readonly GenFormat[] = ['script', 'job', 'reference', 'sudoers', 'library', 'guard'];
export const GEN_SHELLS: readonly GenShell[] = ['bash', 'sh'];

export type OnExit = 'fail' | 'ignore';
/** What the job guard does to a job that passed but left processes running: `warn` names and stops them, `fail` also fails the job. */
export type OnLeak = 'warn' | 'fail';
export const ON_LEAK: readonly OnLeak[] = ['warn', 'fail'];

export interface ServiceSpec {
  /** `[a-z][a-z0-9_-]*`; names the log file, the GitLab section and the state files. */
  name: string;
  /** Shell command that runs the service in the foreground, exactly as written. */
  command: string;
  /** Readiness probe: `tcp:HOST:PORT`, `http:URL`, `file:PATH` or `cmd:COMMAND`. */
  ready?: string;
  /** Seconds to wait for `ready` (default: the spec's `readyTimeout`). */
  readyTimeout?: number;
  /** What happens when the service exits while the job runs (default `fail`). */
  onExit?: OnExit;
  /** Run as `sudo COMMAND` (the command must then be plain words starting with an absolute path). */
  sudo?: boolean;
}

export interface GenSpec {
  services: ServiceSpec[];
  /** Default seconds to wait for a readiness probe (default 30). */
  readyTimeout?: number;
  /** Seconds between TERM and KILL when stopping a service (default 10). */
  grace?: number;
  /** Shell from a spec file; `generate`'s `options.shell` wins. */
  shell?: GenShell;
}

export interface GenerateOptions {
  format?: GenFormat;
  shell?: GenShell;
  /** Name of the job in `--format job` (default `job-with-services`). */
  jobName?: string;
  /** `--format guard`: what to do with a passing job that left processes running (default `warn`). */
  onLeak?: OnLeak;
}

export const DEFAULT_GRACE = 10;
export const DEFAULT_READY_TIMEOUT = 30;
