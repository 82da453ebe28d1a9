/**
 * What several rules need to know about a background statement or a trap, computed one way for all.
 */
import { covers, type HandlerScope, type JobAnalysis, type ProgramAnalysis } from '../shell/analysis.js';
import type { Background, Cmd } from '../shell/facts/index.js';
import { stopReachesDetach, stopTargets, type Detach, type Stop } from '../shell/stops.js';
import type { Executor } from '../types.js';

export interface BackgroundStatus {
  b: Background;
  /** When it starts (for code in a function: the function's first call). */
  at: number;
  /** Cleanup traps whose handler stops it, in force at some point of the program. */
  traps: Array<{ scope: HandlerScope; at: number }>;
  /** Of those, the ones on EXIT (they run on success, failure and cancel). */
  exitTraps: Array<{ scope: HandlerScope; at: number }>;
  /** Of those, the ones that run when a command fails (EXIT or ERR). */
  failureTraps: Array<{ scope: HandlerScope; at: number }>;
  /** Stops and waits in the program's flow after it starts that reach it. */
  laterStops: Array<{ stop: Stop; at: number }>;
  /** The very next statement stops or waits for it: nothing can fail in between. */
  stoppedRightAway: boolean;
  /** `nohup`/`setsid`/`disown` applied to it. */
  detach?: Detach;
}

const statusCache = new WeakMap<ProgramAnalysis, Map<Background, BackgroundStatus>>();

/** When a trap is installed, or undefined for a trap in a function never called or in a subshell. */
export function trapTime(a: ProgramAnalysis, scope: HandlerScope): number | undefined {
  if (scope.trap.sub) return undefined;
  return a.when(scope.trap.cmd.start, scope.trap.cmd.fn);
}

export function backgroundStatus(a: ProgramAnalysis, b: Background): BackgroundStatus {
  let byBg = statusCache.get(a);
  if (!byBg) statusCache.set(a, (byBg = new Map()));
  const cached = byBg.get(b);
  if (cached) return cached;
  const at = a.when(b.start, b.fn) ?? b.start;
  const traps: BackgroundStatus['traps'] = [];
  for (const scope of a.cleanupTraps) {
    const t = trapTime(a, scope);
    if (t === undefined) continue;
    if (scope.stops.some((s) => s.kind !== 'wait' && stopTargets(s, b, a))) traps.push({ scope, at: t });
  }
  const laterStops = a.flowStops.filter((s) => s.at > b.amp && !(s.stop.cmd.start >= b.start && s.stop.cmd.end <= b.end) && stopTargets(s.stop, b, a, s.stop.cmd.start));
  const first = laterStops.length ? laterStops.reduce((x, y) => (y.at < x.at ? y : x)) : undefined;
  const stoppedRightAway = !!first && !mayFailBetween(a, b.amp, first.stop.cmd.start, b.fn).length;
  const detach = a.detaches.find((d) => d.detach.background === b)?.detach;
  const status: BackgroundStatus = {
    b,
    at,
    traps,
    exitTraps: traps.filter((t) => covers(t.scope.trap, 'EXIT')),
    failureTraps: traps.filter((t) => covers(t.scope.trap, 'EXIT', 'ERR')),
    laterStops,
    stoppedRightAway,
    detach,
  };
  byBg.set(b, status);
  return status;
}

/**
 * The commands run between two offsets of the program (in function `fn`, or at the top) that can fail,
 * and so end the script there under errexit. `:` and `true` cannot; nor can a background start (`cmd &`
 * returns 0 at once, whatever `cmd` does later), nor a plain assignment (`PID=$!`, `export URL=…`),
 * which is no command at all unless it holds a command substitution, whose commands are listed here.
 * Where the script has turned errexit off (`set +e`), a failing command goes on to the next one: only
 * `exit` ends the script there.
 */
export function mayFailBetween(a: ProgramAnalysis, from: number, to: number, fn: string | undefined): Cmd[] {
  return a.facts.cmds.filter(
    (c) =>
      c.start > from &&
      c.start < to &&
      c.fn === fn &&
      c.name !== ':' &&
      c.name !== 'true' &&
      !a.facts.backgrounds.some((o) => o.amp > from && c.start >= o.start && c.end <= o.end) &&
      (fn !== undefined || errexitAt(a, c.start) || (c.name === 'exit' && !c.sub)),
  );
}

/**
 * Whether errexit is in force at an offset of the script's top level: GitLab runs the job's script with
 * it (docs/gitlab-runner-facts.md, section 2), but a script file the job executes (`./ci/test.sh`, a
 * file linted on its own) starts a new shell without it, unless its `#!` line passes `-e`. `set +e` /
 * `set -e` (or `set +o errexit` / `set -o errexit`) written at the top level before the offset turn it
 * off and on again. One set in a subshell or a function does not count; one in an `if` branch counts
 * as if it ran.
 */
export function errexitAt(a: ProgramAnalysis, offset: number): boolean {
  const parts = a.program.parts;
  // A script file run as a program of its own: its item's key names the file (`script:PATH`).
  const file = parts.length === 1 && parts[0]!.item.key.startsWith('script:') ? parts[0]!.item.text : undefined;
  let on = file === undefined || /^#![^\n]*\s-[a-zA-Z]*e/.test(file);
  for (const s of a.facts.sets) {
    if (s.sub || s.fn !== undefined || s.cmd.start >= offset) continue;
    if (s.enable.includes('errexit')) on = true;
    if (s.disable.includes('errexit')) on = false;
  }
  return on;
}

/** Whether anything stops what a detaching command started: a later stop, a cleanup trap, or `after_script`. */
export function detachStopped(main: ProgramAnalysis, after: ProgramAnalysis, d: Detach, at: number): 'flow' | 'trap' | 'after' | undefined {
  if (main.flowStops.some((s) => s.at > at && s.stop.cmd !== d.cmd && stopReachesDetach(s.stop, d))) return 'flow';
  if (main.cleanupTraps.some((h) => h.stops.some((s) => stopReachesDetach(s, d)))) return 'trap';
  if (after.flowStops.some((s) => stopReachesDetach(s.stop, d))) return 'after';
  return undefined;
}

/**
 * The first stop in the script's flow that reaches what a detaching command started, when nothing else
 * does (no cleanup trap, no `after_script`): what it started is stopped only if the script gets there.
 */
export function detachFlowStop(main: ProgramAnalysis, after: ProgramAnalysis, d: Detach, at: number): Stop | undefined {
  if (main.cleanupTraps.some((h) => h.stops.some((s) => stopReachesDetach(s, d)))) return undefined;
  if (after.flowStops.some((s) => stopReachesDetach(s.stop, d))) return undefined;
  const later = main.flowStops.filter((s) => s.at > at && s.stop.cmd !== d.cmd && stopReachesDetach(s.stop, d));
  return later.length ? later.reduce((x, y) => (y.at < x.at ? y : x)).stop : undefined;
}

/** A short name for what runs in the background: `openfortivpn`, or the statement's text. */
export function label(b: Background): string {
  const c = b.cmds[0];
  if (c?.name && b.node.type !== 'subshell' && b.node.type !== 'compound_statement' && b.node.type !== 'while_statement' && b.node.type !== 'for_statement') {
    return `\`${c.name.slice(c.name.lastIndexOf('/') + 1)}\``;
  }
  const text = b.node.text.replace(/\s+/g, ' ').trim();
  if (!text) return 'a command';
  return `\`${text.length > 40 ? `${text.slice(0, 37)}...` : text}\``;
}

/** What an unmanaged background process does to the job on this executor (docs/gitlab-runner-facts.md, section 1). */
export function fate(executor: Executor): string {
  switch (executor) {
    case 'docker':
      return 'on the docker executor it is killed without warning when the script ends (the container\'s main process exits), and its work is cut off';
    case 'kubernetes':
      return 'on Kubernetes it keeps running into after_script and is killed with the pod';
    case 'instance':
      return 'on an SSH/instance runner the job hangs until its timeout while it holds the job\'s output, or it outlives the job';
    default:
      return 'on a shell runner the job hangs until its timeout while it holds the job\'s output, or the process outlives the job and piles up on the runner';
  }
}

/** Executors on which a background process cannot hang the job (docs/gitlab-runner-facts.md, section 1). */
export function cannotHang(executor: Executor): boolean {
  return executor === 'docker' || executor === 'kubernetes';
}

export const GEN_HINT = 'start it with the preamble from `ci-bgsafe gen`';

/** The job guard as the one-line alternative to a cleanup of the job's own (BG001's suggestion). */
export const GUARD_SUGGESTION =
  'Or, one line for the whole job: put the job guard first (`- !reference [.ci-bgsafe-guard, before_script]` or `extends: .ci-bgsafe-guard` from the guard component, or the output of `ci-bgsafe gen --format guard`), which names and stops whatever the job leaves running when its script ends.';

/** What rules say of a process the job guard stops. */
export const GUARDED = 'the job guard set up earlier in the job stops it when the script ends and names it in the job log';

const guardCache = new WeakMap<ProgramAnalysis, number | null>();

/**
 * Where the job guard (`ci-bgsafe gen --format guard`, the `.ci-bgsafe-guard` component, reached by
 * `extends`, `!reference` or pasted) is set up in a program: the offset of its `export CI_BGSAFE_GUARD`,
 * or undefined when the program does not run it.
 */
export function guardStart(a: ProgramAnalysis): number | undefined {
  let g = guardCache.get(a);
  if (g === undefined) {
    const exp = a.facts.funcs.has('ci_bgsafe_guard_exit')
      ? a.facts.assignments.find((x) => x.name === 'CI_BGSAFE_GUARD' && x.via === 'export' && x.fn === undefined)
      : undefined;
    g = exp ? exp.start : null;
    guardCache.set(a, g);
  }
  return g ?? undefined;
}

/**
 * Wrappers that start the command as another user: the guard cannot read its environment or signal
 * it, and `sudo` (env_reset) and `doas` start it without the cookie (docs/guard.md, "What the cookie
 * cannot follow").
 */
const OTHER_USER = new Set(['sudo', 'doas', 'su', 'runuser', 'gosu', 'su-exec', 'setpriv', 'chpst']);
/** Programs whose work a daemon starts (a container, a system service, an `at` job): no cookie. */
const BY_A_DAEMON = new Set(['docker', 'podman', 'nerdctl', 'systemd-run', 'systemctl', 'service', 'rc-service', 'at', 'batch']);
/**
 * How a command detaches (`Detach.how`) when what it leaves running is a child of the job that keeps
 * its environment; system services (`systemctl`, `service`, `pg_ctlcluster` and `apachectl`, which go
 * through systemd where it runs), containers and a tmux server started before the job are not.
 */
const FOLLOWED_DETACH = /^(nohup|setsid|setsid -f|disown|ssh -f|screen -dm|start-stop-daemon --background|pg_ctl start|pulseaudio --start|ssh-agent|(nohup |setsid )?… &)$/;

/** Whether the process `cmd` starts keeps the job's environment, and so the guard's cookie. */
function keepsCookie(cmd: Cmd): boolean {
  const name = cmd.name?.slice(cmd.name.lastIndexOf('/') + 1);
  if (cmd.wrappers.some((w) => OTHER_USER.has(w)) || (name && (OTHER_USER.has(name) || BY_A_DAEMON.has(name)))) return false;
  // `env -i`, `env -u NAME`, `env -`: the cookie may be gone.
  if (cmd.wrappers.includes('env') && cmd.wrapperFlags.some((f) => f === '-' || f === '-i' || f === '-u' || f.startsWith('--ignore-env') || f.startsWith('--unset'))) return false;
  return true;
}

/**
 * Whether the job guard, where it runs, stops what `cmds` leave running (`how`: the way a detaching
 * command detaches, for BG011): the process inherits the job's environment, its cookie. What runs as
 * another user, what a daemon starts for the job (containers, system services) and what clears its
 * environment are not followed (docs/guard.md).
 */
export function guardFollows(cmds: readonly Cmd[], how?: string): boolean {
  if (!cmds.every(keepsCookie)) return false;
  if (how === undefined) return true;
  // `sh -c '…'` runs the string in a child of the job; `su -c '…'` as another user (keepsCookie).
  const inner = /^(?:sh|bash|dash|ash|zsh|ksh|busybox) -c '(.*)'$/.exec(how);
  return FOLLOWED_DETACH.test(inner ? inner[1]! : how);
}

/** Whether the job guard is set up before `at` and stops what `cmds` leave running (see `guardFollows`). */
export function guardStops(a: ProgramAnalysis, at: number, cmds: readonly Cmd[], how?: string): boolean {
  const g = guardStart(a);
  return g !== undefined && at > g && guardFollows(cmds, how);
}

/** A `services:` image that runs a Docker daemon: `docker:dind`, `docker:27-dind`, `docker:dind-rootless`, … */
const DIND = /(^|\/)docker:([^/]*-)?dind(-rootless)?$/;

/**
 * Whether the job's Docker commands talk to a `docker:dind` service of its own: the job has such a
 * service and `DOCKER_HOST` is unset or names it (`docker`, its alias, or `localhost` on Kubernetes).
 * The runner removes service containers with the job (docs/gitlab-runner-facts.md, section 5), and the
 * containers started on that daemon go with it: nothing started there outlives the job.
 */
export function dockerDaemonIsJobService(job: JobAnalysis, cmd: Cmd): boolean {
  // podman and nerdctl run their containers on the job's own host, not on the Docker daemon.
  if (/(^|\/)(podman|podman-compose|nerdctl)$/.test(cmd.name ?? '')) return false;
  const dind = (job.job.services ?? []).filter((s) => DIND.test(s.name));
  if (!dind.length) return false;
  const host = job.variables['DOCKER_HOST'];
  if (host === undefined || host === '') return true;
  const m = /^tcp:\/\/([^:/]+)(:\d+)?\/?$/.exec(host.trim());
  if (!m) return false;
  const names = new Set(['docker', 'localhost', '127.0.0.1', ...dind.flatMap((s) => (s.alias ? s.alias.split(',').map((a) => a.trim()) : []))]);
  return names.has(m[1]!);
}
