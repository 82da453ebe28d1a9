/**
 * A harness that runs a job body the way GitLab Runner's shell executor does
 * (the shell executor facts: runner `shells/bash.go`, `executors/shell`), with real processes and signals:
 *
 *   trap 'exit 1' TERM; set -o pipefail; set -o errexit; set +o noclobber
 *   ( trap 'exit 1' TERM; eval '<body>' ) < /dev/null
 *   exit 0
 *
 * The wrapper runs in its own session and process group (like the runner's Setpgid), with stdout and
 * stderr piped; the job counts as finished only when the pipe reaches end-of-file (Go exec.Cmd.Wait).
 * Cancel = SIGTERM to the process group; last resort = SIGKILL to the group.
 *
 * Every process of the job inherits an environment cookie (CI_BGSAFE_HARNESS_COOKIE), so leftovers are
 * found by process group, session id or cookie (Linux /proc), and `killLeftovers` / `killAllJobs`
 * remove them in test teardown.
 *
 *   const job = runJob({ body: 'echo hi', shell: 'bash', timeoutMs: 20_000 });
 *   await job.waitForOutput(/hi/);
 *   job.cancel();
 *   const r = await job.result();   // { exitCode, signal, output, pipeClosedAfterMs, hung, leftovers, ... }
 *   await job.cleanup();
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync, symlinkSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

export type HarnessShell = 'bash' | 'sh' | 'dash' | 'busybox';

export interface RunJobOptions {
  /** The job's script body (what GitLab concatenates from before_script and script). */
  body: string;
  /** Shell that runs the wrapper: bash, sh (/bin/sh), dash, or busybox sh with busybox applets first on PATH (like alpine). */
  shell?: HarnessShell;
  /** The pipe must close within this many ms after the job starts; after that the job is reported as hung and killed. Default 30 000. */
  timeoutMs?: number;
  /** The project directory (CI_PROJECT_DIR and working directory); a fresh temp dir by default. */
  projectDir?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
}

export interface ProcessInfo {
  pid: number;
  pgid: number;
  sid: number;
  state: string;
  cmdline: string;
}

export interface JobResult {
  /** Exit code of the wrapper shell (null when it died from a signal). */
  exitCode: number | null;
  /** Signal that ended the wrapper shell, e.g. 'SIGKILL'. */
  signal: NodeJS.Signals | null;
  /** stdout and stderr, interleaved in arrival order. */
  output: string;
  /** ms from the last signal sent (or from the start if none) until the pipe closed; null if it never closed (hung). */
  pipeClosedAfterMs: number | null;
  /** ms from the start until the pipe closed. */
  durationMs: number | null;
  /** When (Date.now()) the pipe closed; null if it never closed. */
  pipeClosedAt: number | null;
  /** True when the pipe was still open at `timeoutMs`: the runner would have hung. */
  hung: boolean;
  /** Processes of the job still alive when the pipe closed (or at the timeout). */
  leftovers: ProcessInfo[];
}

export interface JobHandle {
  pid: number;
  projectDir: string;
  /** The environment cookie every process of this job inherits. */
  cookie: string;
  /** Output so far. */
  output(): string;
  /**
   * When (Date.now()) the output first matched `re`: the arrival of the piece of output that made it
   * match, as the pipe delivered it (not when a test happened to look); undefined if it has not.
   */
  outputAt(re: RegExp): number | undefined;
  /** Resolves when the output matches `re`; rejects after `timeoutMs` (default 15 000) with the output so far. */
  waitForOutput(re: RegExp, timeoutMs?: number): Promise<void>;
  /**
   * Resolves when a process of the job runs a command line matching `re`; rejects after `timeoutMs`
   * (default 15 000). A signal sent to the group between `echo WORK` and the fork of the next
   * foreground command reaches only the shell, which runs its trap when that command ends (POSIX):
   * scenarios wait for the command to run before they signal.
   */
  waitForProcess(re: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends `sig` to the job's process group (what the runner does). */
  signal(sig: NodeJS.Signals): void;
  /** GitLab cancel / timeout: SIGTERM to the process group. */
  cancel(): void;
  /** The runner's last resort: SIGKILL to the process group. */
  kill(): void;
  /** Waits until the pipe closes and the wrapper exits (or the timeout). */
  result(): Promise<JobResult>;
  /** Live processes of this job (by process group, session or cookie). */
  leftovers(): ProcessInfo[];
  /** Polls until no process of the job is left or `withinMs` passes; returns what is left. */
  leftoversAfter(withinMs: number): Promise<ProcessInfo[]>;
  /** Kills every leftover (SIGKILL) and removes the temp project dir it created; returns what had to be killed. */
  cleanup(): Promise<ProcessInfo[]>;
}

const live = new Set<JobHandle>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The runner's bash wrapper around a body (shells/bash.go Finish()), with the body single-quoted for eval. */
export function wrapBody(body: string): string {
  const quoted = `'${body.replace(/'/g, `'\\''`)}'`;
  return [
    "trap 'exit 1' TERM",
    '(set -o pipefail) 2>/dev/null && set -o pipefail',
    'set -o errexit',
    'set +o noclobber',
    `( trap 'exit 1' TERM; eval ${quoted} ) < /dev/null`,
    'exit 0',
    '',
  ].join('\n');
}

let busyboxBin: string | undefined;
/** A directory of busybox applet links, so `busybox` jobs see busybox tools first on PATH, as on alpine. */
function busyboxPath(): string {
  if (busyboxBin && existsSync(busyboxBin)) return busyboxBin;
  const dir = join(tmpdir(), `ci-bgsafe-busybox-applets-${process.getuid?.() ?? 0}`);
  mkdirSync(dir, { recursive: true });
  const list = execFileSync('busybox', ['--list'], { encoding: 'utf8' });
  for (const applet of list.split('\n').filter(Boolean)) {
    try {
      symlinkSync('/usr/bin/busybox', join(dir, applet));
    } catch {
      /* already there */
    }
  }
  busyboxBin = dir;
  return dir;
}



/** Reads /proc for every live (non-zombie) process. */
export function listProcesses(): Array<ProcessInfo & { environ: string }> {
  const out: Array<ProcessInfo & { environ: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const state = rest[0]!;
      if (state === 'Z' || state === 'X') continue;
      let environ = '';
      let cmdline = '';
      try {
        environ = readFileSync(`/proc/${name}/environ`, 'latin1');
        cmdline = readFileSync(`/proc/${name}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
      } catch {
        /* gone or not ours */
      }
      out.push({ pid: Number(name), state, pgid: Number(rest[2]), sid: Number(rest[3]), cmdline, environ });
    } catch {
      /* the process ended while we looked */
    }
  }
  return out;
}

/** Processes in process group or session `id`, or whose environment holds `cookieVar=cookie`. */
export function findJobProcesses(id: number, cookieVar: string, cookie: string): ProcessInfo[] {
  const needle = `${cookieVar}=${cookie}`;
  return listProcesses()
    .filter((p) => p.pid !== process.pid)
    .filter((p) => p.pgid === id || p.sid === id || p.environ.split('\0').includes(needle))
    .map(({ environ: _e, ...p }) => p);
}

export function runJob(options: RunJobOptions): JobHandle {
  const shell = options.shell ?? 'bash';
  const timeoutMs = options.timeoutMs ?? 30_000;
  const ownDir = options.projectDir === undefined;
  const projectDir = options.projectDir ?? mkdtempSync(join(tmpdir(), 'ci-bgsafe-job-'));
  mkdirSync(projectDir, { recursive: true });
  const cookie = randomUUID();
  const scriptFile = join(projectDir, '.harness-job.sh');
  writeFileSync(scriptFile, wrapBody(options.body));
  const env: Record<string, string | undefined> = {
    ...process.env,
    CI: 'true',
    CI_PROJECT_DIR: projectDir,
    CI_JOB_ID: String(Math.floor(Math.random() * 1e9)),
    CI_BGSAFE_HARNESS_COOKIE: cookie,
    ...options.env,
  };
  let cmd: string;
  let args: string[];
  switch (shell) {
    case 'bash':
      cmd = '/bin/bash';
      args = [scriptFile];
      break;
    case 'sh':
      cmd = '/bin/sh';
      args = [scriptFile];
      break;
    case 'dash':
      cmd = 'dash';
      args = [scriptFile];
      break;
    case 'busybox':
      cmd = join(busyboxPath(), 'sh');
      args = [scriptFile];
      env.PATH = `${busyboxPath()}:${env.PATH ?? ''}`;
      break;
  }
  const started = Date.now();
  let lastSignalAt = started;
  const child: ChildProcess = spawn(cmd, args, { cwd: projectDir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid!;
  let output = '';
  /** When each piece of output arrived, and where it ends in `output`. */
  const arrivals: Array<{ at: number; end: number }> = [];
  const onData = (b: Buffer) => {
    output += b.toString('utf8');
    arrivals.push({ at: Date.now(), end: output.length });
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  let openStreams = 2;
  let closedAt: number | null = null;
  const pipeClosed = new Promise<void>((resolve) => {
    const done = () => {
      openStreams -= 1;
      if (openStreams === 0) {
        closedAt = Date.now();
        resolve();
      }
    };
    child.stdout!.on('close', done);
    child.stderr!.on('close', done);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });

  const sendGroup = (sig: NodeJS.Signals) => {
    lastSignalAt = Date.now();
    try {
      process.kill(-pid, sig);
    } catch {
      /* group already gone */
    }
  };

  let resultPromise: Promise<JobResult> | undefined;
  const handle: JobHandle = {
    pid,
    projectDir,
    cookie,
    output: () => output,
    outputAt: (re) => arrivals.find((a) => re.test(output.slice(0, a.end)))?.at,
    async waitForOutput(re, ms = 15_000) {
      const end = Date.now() + ms;
      while (!re.test(output)) {
        if (Date.now() > end) throw new Error(`output did not match ${re} within ${ms} ms; output so far:\n${output}`);
        await sleep(50);
      }
    },
    async waitForProcess(re, ms = 15_000) {
      const end = Date.now() + ms;
      while (!handle.leftovers().some((p) => re.test(p.cmdline))) {
        if (Date.now() > end) throw new Error(`no process of the job ran ${re} within ${ms} ms; output so far:\n${output}`);
        await sleep(50);
      }
    },
    signal: sendGroup,
    cancel: () => sendGroup('SIGTERM'),
    kill: () => sendGroup('SIGKILL'),
    result() {
      resultPromise ??= (async () => {
        const deadline = started + timeoutMs;
        const timer = new Promise<'timeout'>((r) => {
          const t = setTimeout(() => r('timeout'), Math.max(0, deadline - Date.now()));
          t.unref();
        });
        const first = await Promise.race([pipeClosed.then(() => 'closed' as const), timer]);
        const hung = first === 'timeout';
        const leftovers = handle.leftovers();
        let ex: { code: number | null; signal: NodeJS.Signals | null } | undefined;
        if (!hung) ex = await Promise.race([exited, sleep(Math.max(2000, deadline - Date.now())).then(() => undefined)]);
        return {
          exitCode: ex?.code ?? null,
          signal: ex?.signal ?? null,
          output,
          pipeClosedAfterMs: closedAt === null ? null : closedAt - lastSignalAt,
          durationMs: closedAt === null ? null : closedAt - started,
          pipeClosedAt: closedAt,
          hung,
          leftovers,
        };
      })();
      return resultPromise;
    },
    leftovers: () => findJobProcesses(pid, 'CI_BGSAFE_HARNESS_COOKIE', cookie),
    async leftoversAfter(withinMs) {
      const end = Date.now() + withinMs;
      let left = handle.leftovers();
      while (left.length > 0 && Date.now() < end) {
        await sleep(100);
        left = handle.leftovers();
      }
      return left;
    },
    async cleanup() {
      const killed: ProcessInfo[] = [];
      for (let round = 0; round < 20; round++) {
        const left = handle.leftovers();
        if (left.length === 0) break;
        if (round === 0) killed.push(...left);
        for (const p of left) {
          try {
            process.kill(p.pid, 'SIGKILL');
          } catch {
            /* gone */
          }
        }
        await sleep(50);
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      live.delete(handle);
      if (ownDir) rmSync(projectDir, { recursive: true, force: true });
      return killed;
    },
  };
  live.add(handle);
  return handle;
}

/** Resolves when `ok()` holds (checked every 50 ms); rejects after `timeoutMs` naming `what` was awaited. */
export async function waitUntil(ok: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not so within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** Test teardown: kills the leftovers of every job started and not yet cleaned up. */
export async function killAllJobs(): Promise<void> {
  await Promise.all([...live].map((h) => h.cleanup()));
}
