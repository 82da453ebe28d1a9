/**
 * What a command does to background work: stop it (kill, pkill, docker stop, …), wait for it, or
 * start something that detaches (nohup, setsid, docker run -d, --daemon, …); and whether a stop
 * reaches a background statement or what a command detached. The commands are read from tables:
 * STOP_FORMS and DETACH_FORMS, by program name.
 */
import type { Background, Cmd, Facts } from './facts/index.js';
import { basename, nodeRange, type SyntaxNode } from './facts/index.js';

export interface Stop {
  cmd: Cmd;
  kind: 'kill' | 'pkill' | 'killall' | 'wait' | 'container' | 'compose' | 'service';
  /** Kills or waits for every job of the shell or its whole process group (`kill 0`, `kill -- -$PGID`, `kill $(jobs -p)`, `wait`). */
  broad: boolean;
  /** The target cannot be read statically (`kill $(cat pidfile)`): assume it hits what it should. */
  unknown: boolean;
  /** PID variables it targets (`kill $PID`). */
  vars: string[];
  /** Targets `$!`. */
  bang: boolean;
  /** Job specs (`%1`, `%%`). */
  jobspecs: string[];
  /** Names or patterns: pkill/killall patterns, container names, service names. */
  names: string[];
}

export interface Detach {
  cmd: Cmd;
  /** What detaches: `nohup`, `setsid`, `disown`, `docker run -d`, `docker compose up -d`, `ssh -f`, `--daemon`, … */
  how: string;
  /** Names that a stop would mention: container name, service name, program name. */
  names: string[];
  /** A variable that captured its id (`CID=$(docker run -d …)`). */
  captureVar?: string;
  /** The background statement it belongs to, for `nohup cmd &`, `setsid cmd &`, `cmd & disown`. */
  background?: Background;
  /** Whether killing the job's process group reaches it. */
  inGroup: boolean;
}

/** Reads a command line (program name without its path, arguments) as a stop, filling in `stop`; or undefined. */
type StopForm = (stop: Stop, args: string[], name: string) => Stop | undefined;

/** A stop of a named service: when `when` holds for the arguments, it stops `names`. */
interface ServiceStop {
  programs: string[];
  when: (args: string[]) => boolean;
  names: (args: string[]) => string[];
}

const has = (...words: string[]) => (args: string[]) => words.some((w) => args.includes(w));
const operands = (args: string[]) => args.filter((a) => !a.startsWith('-'));

const SERVICE_STOPS: ServiceStop[] = [
  { programs: ['service', 'rc-service'], when: (a) => a[1] === 'stop' || a[1] === 'restart', names: (a) => [a[0] ?? ''] },
  { programs: ['systemctl'], when: has('stop', 'kill'), names: (a) => a.filter((x) => !x.startsWith('-') && x !== 'stop' && x !== 'kill') },
  { programs: ['pg_ctl', 'pg_ctlcluster'], when: has('stop'), names: () => ['postgres'] },
  { programs: ['apachectl', 'apache2ctl'], when: has('stop'), names: () => ['apache'] },
  { programs: ['start-stop-daemon'], when: has('--stop', '-K'), names: operands },
  { programs: ['ssh'], when: (a) => a.some((x, k) => x === '-O' && a[k + 1] === 'exit'), names: () => ['ssh'] },
  { programs: ['screen'], when: has('quit'), names: () => ['screen'] },
  { programs: ['tmux'], when: has('kill-session', 'kill-server'), names: () => ['tmux'] },
  { programs: ['redis-cli', 'valkey-cli'], when: has('shutdown'), names: () => ['redis', 'valkey'] },
  // Databases that fork themselves (`mongod --fork`, `mysqld --daemonize`) are stopped by their own tools.
  { programs: ['mongod'], when: has('--shutdown'), names: () => ['mongod'] },
  { programs: ['mongo', 'mongosh'], when: (a) => a.some((x) => x.includes('shutdownServer')), names: () => ['mongod'] },
  { programs: ['mysqladmin', 'mariadb-admin'], when: has('shutdown'), names: () => ['mysqld', 'mysql', 'mariadbd', 'mariadb'] },
  // `ssh-agent -k` stops the agent named by $SSH_AGENT_PID
  { programs: ['ssh-agent'], when: has('-k'), names: () => ['ssh-agent'] },
  { programs: ['nginx'], when: (a) => a.includes('-s') && has('stop', 'quit')(a), names: () => ['nginx'] },
  // The generator's library (`ci-bgsafe gen --format library`).
  { programs: ['ci_bgsafe_stop', 'ci_bgsafe_cleanup'], when: () => true, names: operands },
];

const CONTAINER_CLIS = ['docker', 'podman', 'nerdctl'];
const COMPOSE_CLIS = ['docker-compose', 'podman-compose'];

/** The programs that stop or wait for something, by name. */
const STOP_FORMS = new Map<string, StopForm>([
  ['kill', killStop],
  ['wait', killStop],
  ['pkill', patternStop],
  ['killall', patternStop],
  // `jobs -p | xargs kill`
  ['xargs', (stop, args) => (args.includes('kill') ? { ...stop, broad: true } : undefined)],
  ...CONTAINER_CLIS.map((p): [string, StopForm] => [p, containerStop]),
  ...COMPOSE_CLIS.map((p): [string, StopForm] => [p, composeStop]),
  ...SERVICE_STOPS.flatMap((s) => s.programs.map((p): [string, StopForm] => [p, (stop, args) => (s.when(args) ? serviceStop(stop, s.names(args)) : undefined)])),
]);

/** Init scripts: `/etc/init.d/NAME stop`. */
const INIT_SCRIPT = /^\/etc\/init\.d\//;

/** Classifies a command as a stop (or wait), or undefined. `vars` resolves `$X` command names from CI/CD variables. */
export function classifyStop(cmd: Cmd, vars: Record<string, string> = {}): Stop | undefined {
  const { name, args } = effectiveArgv(cmd, vars);
  const form = STOP_FORMS.get(name);
  const init = !form && INIT_SCRIPT.test(cmd.name ?? '');
  // Most commands stop nothing: answer before building a Stop.
  if (!form && !init) return undefined;
  const stop: Stop = { cmd, kind: 'kill', broad: false, unknown: false, vars: [], bang: false, jobspecs: [], names: [] };
  if (form) return form(stop, args, name);
  return args[0] === 'stop' || args[0] === 'restart' ? serviceStop(stop, [basename(cmd.name!)]) : undefined;
}

const KILL_VALUED = new Set(['-s', '-n', '--signal']);

/** `kill TARGET…` and `wait [TARGET…]`: PIDs, `$!`, job specs, the process group. */
function killStop(stop: Stop, args: string[], name: string): Stop | undefined {
  const cmd = stop.cmd;
  stop.kind = name === 'kill' ? 'kill' : 'wait';
  let targets = 0;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const node = cmd.argNodes[i]!;
    if (options) {
      if (a === '--') {
        options = false;
        continue;
      }
      if (a === '-l' || a === '-L') return undefined;
      if (KILL_VALUED.has(a)) {
        i++;
        continue;
      }
      if (cmd.argStatic[i] && (name === 'kill' ? /^-([A-Za-z]+[0-9]*|[0-9]+)$/ : /^-[a-z]$/).test(a)) continue;
      options = false;
    }
    targets++;
    if (a === '0' || a === '-0') {
      stop.broad = true;
      continue;
    }
    if (a.startsWith('%')) {
      stop.jobspecs.push(a);
      continue;
    }
    const sub = substitution(node);
    if (sub) {
      if (/\bjobs\b/.test(sub.text)) stop.broad = true;
      else stop.unknown = true;
      continue;
    }
    const vs = argVars(node);
    const negative = (cmd.argStatic[i] ? cmd.args[i]! : leadingText(node)).startsWith('-');
    if (negative) stop.broad = true;
    for (const v of vs) {
      if (v === '!') stop.bang = true;
      else if (v === '$') stop.broad = stop.broad || negative;
      else stop.vars.push(v);
    }
    if (!vs.length && !negative && cmd.argStatic[i] && /^\d+$/.test(a)) stop.unknown = true;
    if (!vs.length && !cmd.argStatic[i]) stop.unknown = true;
  }
  if (targets === 0) {
    if (name === 'wait') stop.broad = true;
    else return undefined; // `kill -l`
  }
  return stop;
}

/** A word's text from its first character that is not a quote: `-` for `"-$PGID"`, `'-'$PGID` and `-"$PGID"`. */
function leadingText(node: SyntaxNode): string {
  if (node.type === 'concatenation' && node.firstChild) return leadingText(node.firstChild);
  return node.type === 'string' || node.type === 'raw_string' ? node.text.slice(1) : node.text;
}

const PKILL_VALUED = new Set(['-s', '--signal', '-u', '-U', '-g', '-G', '-P', '-t', '-F', '--pidfile', '--session', '-c', '--ns', '--nslist', '-d']);

/** `pkill PATTERN`, `killall NAME`. */
function patternStop(stop: Stop, args: string[], name: string): Stop {
  stop.kind = name as 'pkill' | 'killall';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (PKILL_VALUED.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('-')) continue;
    stop.names.push(a);
  }
  if (!stop.names.length) stop.unknown = true;
  return stop;
}

const CONTAINER_STOP = new Set(['stop', 'kill', 'rm']);

/** `docker stop|kill|rm -f NAME…`, `docker wait`, `docker logs -f`, `docker compose down`. */
function containerStop(stop: Stop, args: string[]): Stop | undefined {
  const cmd = stop.cmd;
  const { verb, i } = containerVerb(args);
  if (verb === 'compose') return composeStop(stop, args.slice(i + 1));
  const following = verb === 'wait' || (verb === 'logs' && args.some((a) => a === '-f' || a === '--follow'));
  if (!verb || (!CONTAINER_STOP.has(verb) && !following)) return undefined;
  const rest = args.slice(i + 1);
  if (following) stop.kind = 'wait';
  if (verb === 'rm' && !rest.some((a) => a === '-f' || a === '--force' || /^-[a-z]*f[a-z]*$/.test(a))) return undefined;
  if (!following) stop.kind = 'container';
  rest.forEach((a, k) => {
    if (a.startsWith('-')) return;
    // Arguments that came from a CI/CD variable's words have no node of their own.
    const node = cmd.argNodes[i + 1 + k - (args.length - cmd.args.length)];
    if (!node) {
      stop.names.push(a);
      return;
    }
    if (substitution(node)) stop.broad = true;
    const vs = argVars(node);
    if (vs.length) stop.vars.push(...vs);
    else stop.names.push(a);
  });
  return stop;
}

/** `docker compose down|stop|kill|rm`. */
function composeStop(stop: Stop, args: string[]): Stop | undefined {
  if (!args.some((a) => a === 'down' || a === 'stop' || a === 'kill' || a === 'rm')) return undefined;
  stop.kind = 'compose';
  stop.names.push('compose');
  return stop;
}

function serviceStop(stop: Stop, names: string[]): Stop {
  stop.kind = 'service';
  stop.names.push(...names.filter(Boolean));
  return stop;
}

/** Variables expanded directly in an argument (`$PID`, `"${PID}"`); `!` for `$!`. */
function argVars(node: SyntaxNode): string[] {
  const out: string[] = [];
  const visit = (n: SyntaxNode) => {
    if (n.type === 'simple_expansion' || n.type === 'expansion') {
      const v = n.namedChildren.find((c) => c && (c.type === 'variable_name' || c.type === 'special_variable_name'));
      if (v) out.push(v.text);
      return;
    }
    if (n.type === 'command_substitution') return;
    for (const c of n.namedChildren) if (c) visit(c);
  };
  visit(node);
  return out;
}

/** The first command substitution in an argument. */
function substitution(node: SyntaxNode): SyntaxNode | undefined {
  if (node.type === 'command_substitution') return node;
  for (const c of node.namedChildren) {
    if (!c) continue;
    const s = substitution(c);
    if (s) return s;
  }
  return undefined;
}

/** The verb of a docker/podman/nerdctl command line (`docker container stop x` -> `stop`) and its index. */
function containerVerb(args: string[]): { verb: string | undefined; i: number } {
  const i = args[0] === 'container' ? 1 : 0;
  return { verb: args[i], i };
}

/**
 * The program name and arguments, with a command name written as a CI/CD variable (`$COMPOSE up -d`,
 * `COMPOSE: docker compose -f ci.yml`) replaced by the variable's words.
 */
function effectiveArgv(cmd: Cmd, vars: Record<string, string>): { name: string; args: string[] } {
  if (cmd.name !== undefined) return { name: basename(cmd.name), args: cmd.args };
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(cmd.rawName);
  const words = m ? vars[m[1]!]?.trim().split(/\s+/).filter(Boolean) : undefined;
  if (!words?.length) return { name: '', args: cmd.args };
  return { name: basename(words[0]!), args: [...words.slice(1), ...cmd.args] };
}

// ---------------------------------------------------------------------------------------------
// Detaching

/** A command line that detaches: when `when` holds for the arguments, `how` it detaches and the names a stop would use. */
interface DetachForm {
  programs: string[];
  when: (args: string[]) => boolean;
  how: (name: string, args: string[]) => string;
  names: (args: string[]) => string[];
  /** The variable that holds its PID when the command sets one itself (`SSH_AGENT_PID`). */
  pidVar?: string;
}

const SSH_AGENT_VALUED = new Set(['-a', '-E', '-P', '-t', '-O']);

const DETACH_FORMS: DetachForm[] = [
  { programs: ['ssh'], when: (a) => a.some((x) => /^-[a-zA-Z]*f[a-zA-Z]*$/.test(x)), how: () => 'ssh -f', names: () => ['ssh'] },
  {
    programs: ['screen'],
    when: (a) => a.some((x) => /^-[a-zA-Z]*d[a-zA-Z]*m|^-[a-zA-Z]*m[a-zA-Z]*d/.test(x)) || (a.includes('-d') && a.includes('-m')),
    how: () => 'screen -dm',
    names: () => ['screen'],
  },
  {
    programs: ['tmux'],
    when: (a) => has('new', 'new-session')(a) && a.some((x) => /^-[a-zA-Z]*d/.test(x)),
    how: () => 'tmux new -d',
    names: () => ['tmux'],
  },
  {
    programs: ['start-stop-daemon'],
    when: (a) => has('--start', '-S')(a) && has('--background', '-b')(a),
    how: () => 'start-stop-daemon --background',
    names: (a) => [basename(a[a.indexOf('--exec') + 1] ?? a[a.indexOf('-x') + 1] ?? '')],
  },
  {
    programs: ['service', 'rc-service'],
    when: (a) => a[1] === 'start' || a[1] === 'restart',
    how: (name, a) => `${name} ${a[0]} start`,
    names: (a) => [a[0] ?? ''],
  },
  {
    programs: ['systemctl'],
    when: has('start', 'restart'),
    how: () => 'systemctl start',
    names: (a) => a.filter((x) => !x.startsWith('-') && x !== 'start' && x !== 'restart'),
  },
  { programs: ['pg_ctl', 'pg_ctlcluster'], when: has('start', 'restart'), how: (name) => `${name} start`, names: () => ['postgres', 'pg_ctl'] },
  { programs: ['apachectl', 'apache2ctl'], when: has('start'), how: (name) => `${name} start`, names: () => ['apache', 'httpd', 'apache2'] },
  { programs: ['pulseaudio'], when: has('--start', '-D', '--daemonize'), how: () => 'pulseaudio --start', names: () => ['pulseaudio'] },
  // `eval "$(ssh-agent -s)"` forks the agent into the background; with a command (`ssh-agent sh -c …`)
  // it runs the command and exits with it, and -D/-d keep it in the foreground.
  {
    programs: ['ssh-agent'],
    when: (a) => {
      for (let i = 0; i < a.length; i++) {
        if (a[i] === '-k' || a[i] === '-D' || a[i] === '-d') return false;
        if (SSH_AGENT_VALUED.has(a[i]!)) i++;
        else if (!a[i]!.startsWith('-')) return false;
      }
      return true;
    },
    how: () => 'ssh-agent',
    names: () => ['ssh-agent'],
    pidVar: 'SSH_AGENT_PID',
  },
];

const DETACH_BY_PROGRAM = new Map(DETACH_FORMS.flatMap((f) => f.programs.map((p) => [p, f] as const)));

/** Wrappers that detach the command they run, with the options that make them do so. */
const DETACHING_WRAPPERS: Array<{ wrapper: string; flag: (f: string) => boolean; how: string }> = [
  { wrapper: 'sudo', flag: (f) => /^-[A-Za-z]*b/.test(f) && !f.startsWith('--'), how: 'sudo -b' },
  { wrapper: 'setsid', flag: (f) => f === '-f' || f === '--fork', how: 'setsid -f' },
];

/** Options with which a program daemonizes itself. */
const DAEMON_FLAGS = new Set(['--daemon', '--daemonize', '-daemon', '--fork', '--background', '--detach']);

const DOCKER_RUN_VALUED = new Set([
  '-p', '--publish', '-e', '--env', '-v', '--volume', '--name', '-w', '--workdir', '-u', '--user', '--network', '--net',
  '-h', '--hostname', '--entrypoint', '-l', '--label', '--env-file', '--mount', '--add-host', '-m', '--memory', '--cpus',
  '--restart', '--platform', '--pull', '--health-cmd', '--shm-size', '--ulimit', '--cap-add', '--device', '--log-driver',
  '--network-alias', '--ip', '--dns', '--tmpfs', '--security-opt', '--link', '--expose', '--runtime', '--gpus',
]);

/** Whether a command, run as written (not with `&`), detaches something that keeps running. */
export function classifyDetach(cmd: Cmd, facts: Facts, vars: Record<string, string> = {}): Detach | undefined {
  // `command -v ssh-agent` only looks the program up
  if (cmd.wrappers.includes('command') && cmd.wrapperFlags.some((f) => f === '-v' || f === '-V')) return undefined;
  const { name, args } = effectiveArgv(cmd, vars);
  const mk = (how: string, names: string[], inGroup = false): Detach => ({
    cmd,
    how,
    names: [...new Set(names.filter((n) => n && n.length >= 2))],
    captureVar: captureVar(cmd, facts),
    inGroup,
  });
  for (const w of DETACHING_WRAPPERS) {
    if (cmd.wrappers.includes(w.wrapper) && cmd.wrapperFlags.some(w.flag)) return mk(w.how, [name]);
  }
  if (CONTAINER_CLIS.includes(name)) {
    const { verb, i } = containerVerb(args);
    if (verb === 'compose') return composeUp(cmd, args.slice(i + 1), facts);
    if (verb === 'start' && !args.slice(i + 1).some((a) => a === '-a' || a === '--attach' || a === '-i')) {
      return mk(`${name} start`, operands(args.slice(i + 1)));
    }
    if (verb !== 'run') return undefined;
    let detached = false;
    const names: string[] = [];
    for (let k = i + 1; k < args.length; k++) {
      const a = args[k]!;
      if (!a.startsWith('-')) break;
      if (a === '-d' || a === '--detach' || /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a)) detached = true;
      if (a === '--name') names.push(args[k + 1] ?? '');
      else if (a.startsWith('--name=')) names.push(a.slice(7));
      if (DOCKER_RUN_VALUED.has(a)) k++;
    }
    return detached ? mk(`${name} run -d`, names) : undefined;
  }
  if (COMPOSE_CLIS.includes(name)) return composeUp(cmd, args, facts);
  const form = DETACH_BY_PROGRAM.get(name);
  if (form) {
    if (!form.when(args)) return undefined;
    const d = mk(form.how(name, args), form.names(args));
    return form.pidVar ? { ...d, captureVar: d.captureVar ?? form.pidVar } : d;
  }
  if (INIT_SCRIPT.test(cmd.name ?? '') && (args[0] === 'start' || args[0] === 'restart')) {
    return mk(`${cmd.name} start`, [basename(cmd.name!)]);
  }
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (!a.startsWith('-')) continue; // every daemon flag is an option (most arguments are not)
    const parts = a.split('=');
    const flag = parts[0]!;
    if (!DAEMON_FLAGS.has(flag)) continue;
    const value = parts.length > 1 ? parts[1] : args[k + 1];
    if ((flag === '--daemon' || flag === '--daemonize') && value && /^(no|false|off)$/i.test(value)) return undefined;
    return mk(`${name} ${flag}${flag === '--daemonize' && value === 'yes' ? ' yes' : ''}`, [name]);
  }
  return undefined;
}

/** `docker compose up -d` (not with `--exit-code-from` or `--abort-on-container-exit`, which wait). */
function composeUp(cmd: Cmd, args: string[], facts: Facts): Detach | undefined {
  const up = args.indexOf('up');
  if (up < 0) return undefined;
  const rest = args.slice(up + 1);
  if (rest.some((a) => a.startsWith('--exit-code-from') || a === '--abort-on-container-exit')) return undefined;
  if (!rest.some((a) => a === '-d' || a === '--detach' || /^-[a-zA-Z]*d[a-zA-Z]*$/.test(a))) return undefined;
  return { cmd, how: 'docker compose up -d', names: ['compose'], captureVar: captureVar(cmd, facts), inGroup: false };
}

/** `CID=$(docker run -d …)`: the variable that captures the command's output. */
function captureVar(cmd: Cmd, facts: Facts): string | undefined {
  let n: SyntaxNode | null = cmd.node.parent;
  while (n && n.type !== 'command_substitution') {
    if (n.type === 'program' || n.type === 'compound_statement') return undefined;
    n = n.parent;
  }
  if (!n) return undefined;
  const at = nodeRange(cmd, n);
  const assign = facts.assignments.find((a) => a.start <= at.start && a.end >= at.end);
  return assign?.name;
}

/** Wrappers that detach a background statement from the job's shell: `nohup cmd &`, `setsid cmd &`. */
const DETACHING_BACKGROUND = ['setsid', 'nohup'] as const;

/**
 * Everything the program detaches, in program order of reading: commands that detach, background
 * statements started through `setsid` or `nohup`, and `cmd & disown`. `start` and `fn` say where it is.
 */
export function findDetaches(
  facts: Facts, vars: Record<string, string>, parse?: (text: string) => Facts,
): Array<{ detach: Detach; start: number; fn?: string }> {
  const out: Array<{ detach: Detach; start: number; fn?: string }> = [];
  for (const cmd of facts.cmds) {
    const d = classifyDetach(cmd, facts, vars);
    if (d) out.push({ detach: d, start: cmd.start, fn: cmd.fn });
    // `su postgres -c "pg_ctl … start"`, `runuser -l app -c '…'`, `sh -c '…'`: the string runs here too,
    // as another user or in a child shell; what it detaches is reported at the command that runs it.
    const script = parse ? commandString(cmd) : undefined;
    if (!parse || script === undefined) continue;
    const inner = parse(script);
    const shell = basename(cmd.name!);
    for (const c of inner.cmds) {
      const di = classifyDetach(c, inner, vars);
      if (di) out.push({ detach: { ...di, cmd, how: `${shell} -c '${di.how}'`, captureVar: undefined }, start: cmd.start, fn: cmd.fn });
    }
    // `bash -c 'nohup server &'`, `sh -c "cd app && ./serve &"`: the child shell exits at once and leaves
    // what it started in the background running, unless the string itself waits for it or stops it.
    // A `-c` command that is itself run in the background is the job's own background statement.
    if (facts.backgrounds.some((b) => cmd.start >= b.start && cmd.end <= b.end)) continue;
    for (const b of inner.backgrounds) {
      const first = b.cmds[0];
      // `cd app && ./serve &`: the last command is the one that runs on
      const main = b.cmds[b.cmds.length - 1];
      if (!first || !main?.name) continue;
      const stopped = inner.cmds.some((c) => {
        if (c.start < b.amp) return false;
        const stop = classifyStop(c, vars);
        return !!stop && stopTargets(stop, b, { facts: inner }, c.start);
      });
      if (stopped) continue;
      const wrapper = DETACHING_BACKGROUND.find((w) => first.wrappers.includes(w));
      out.push({
        detach: { cmd, how: `${shell} -c '${wrapper ? `${wrapper} ` : ''}… &'`, names: [basename(main.name)].filter((n) => n.length >= 2), inGroup: wrapper !== 'setsid' },
        start: cmd.start,
        fn: cmd.fn,
      });
    }
  }
  for (const b of facts.backgrounds) {
    const first = b.cmds[0];
    if (!first) continue;
    const how = DETACHING_BACKGROUND.find((w) => first.wrappers.includes(w));
    if (how) {
      const names = [basename(first.name ?? '')].filter(Boolean);
      out.push({ detach: { cmd: first, how, names, background: b, inGroup: how === 'nohup' }, start: b.start, fn: b.fn });
    }
  }
  for (const cmd of facts.cmds) {
    if (cmd.name !== 'disown') continue;
    const prior = facts.backgrounds.filter((b) => b.amp < cmd.start).pop();
    if (!prior || !prior.cmds[0]) continue;
    const names = [basename(prior.cmds[0].name ?? '')].filter(Boolean);
    out.push({ detach: { cmd, how: 'disown', names, background: prior, inGroup: true }, start: cmd.start, fn: cmd.fn });
  }
  return out;
}

/**
 * The stops in a `-c STRING` that `cmd` runs as a shell program (`su postgres -c "pg_ctl … stop"`,
 * `sh -c 'kill $(cat app.pid)'`), each with `cmd` as its command: the string's stops run where `cmd` runs.
 */
export function commandStringStops(cmd: Cmd, parse: (text: string) => Facts, vars: Record<string, string> = {}): Stop[] {
  const script = commandString(cmd);
  if (script === undefined) return [];
  return parse(script).cmds.flatMap((c) => {
    const stop = classifyStop(c, vars);
    // PIDs and `$!` in the string are the child shell's own: only names reach what the job started.
    return stop && stop.kind !== 'wait' && stop.names.length ? [{ ...stop, cmd, vars: [], bang: false, jobspecs: [], broad: false, unknown: false }] : [];
  });
}

/** Commands that run a string given with `-c` in a shell: `su`, `runuser` and the shells themselves. */
const RUNS_STRING = new Set(['su', 'runuser', 'sh', 'bash', 'dash', 'ash']);

/**
 * The text of a `-c STRING` that `cmd` runs as a shell program, or undefined: its static text, or, for
 * a double-quoted string with expansions (`bash -c "nohup java -jar $JAR &"`), the text inside the
 * quotes, which reads as the same commands with the expansions left in place.
 */
function commandString(cmd: Cmd): string | undefined {
  if (cmd.name === undefined || !RUNS_STRING.has(basename(cmd.name))) return undefined;
  const i = cmd.args.findIndex((a) => a === '-c' || a === '--command' || /^-[a-z]*c$/.test(a));
  if (i < 0 || i + 1 >= cmd.args.length) return undefined;
  if (cmd.argStatic[i + 1]) return cmd.args[i + 1];
  const node = cmd.argNodes[i + 1];
  return node?.type === 'string' ? node.text.slice(1, -1) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Matching stops to what they stop

/** Functions of the generator's library (`ci-bgsafe gen --format library`). */
const LIBRARY = /^ci_bgsafe_/;

function inLibrary(stop: Stop): boolean {
  return LIBRARY.test(stop.cmd.fn ?? '') || LIBRARY.test(stop.cmd.name ?? '');
}

/** Whether a stop reaches a background statement of the program whose facts are `program.facts`; `stopAt`: where the stop runs. */
export function stopTargets(stop: Stop, b: Background, program: { facts: Facts }, stopAt?: number): boolean {
  // The generator's library stops the services it started (`ci_bgsafe_start`), and nothing else.
  if (inLibrary(stop)) return LIBRARY.test(b.fn ?? '');
  if (stop.broad || stop.unknown || stop.jobspecs.length) return true;
  if (stop.vars.some((v) => b.pidVars.includes(v))) return true;
  if (stop.vars.some((v) => !isPidOfOtherBackground(v, b, program.facts))) return true;
  if (stop.bang) {
    if (stopAt === undefined) return true;
    const last = program.facts.backgrounds.filter((x) => x.amp < stopAt).pop();
    if (!last || last === b) return true;
  }
  if (stop.kind === 'pkill' || stop.kind === 'killall' || stop.kind === 'service') {
    const text = b.node.text;
    const names = b.cmds.map((c) => basename(c.name ?? ''));
    return stop.names.some((p) => names.includes(p) || text.includes(p) || safeRegex(p)?.test(text));
  }
  return false;
}

/** True when `v` holds the PID of a different background statement (so `kill $v` does not reach `b`). */
function isPidOfOtherBackground(v: string, b: Background, facts: Facts): boolean {
  const assigned = facts.assignments.filter((a) => a.name === v);
  if (!assigned.length) return false; // set elsewhere (a CI/CD variable, a file): cannot tell
  return assigned.every((a) => a.fromBang) && !b.pidVars.includes(v);
}

/** Whether a stop reaches something a command detached. */
export function stopReachesDetach(stop: Stop, d: Detach): boolean {
  if (inLibrary(stop)) return LIBRARY.test(d.cmd.fn ?? '');
  if (d.inGroup && (stop.broad || stop.unknown || stop.jobspecs.length)) return true;
  if (d.background && (stop.broad || stop.unknown)) return true;
  if (d.captureVar && stop.vars.includes(d.captureVar)) return true;
  // `nohup cmd & PID=$!` … `kill $PID`: the PID of the background statement itself
  if (d.background && (stop.bang || stop.vars.some((v) => d.background!.pidVars.includes(v)))) return true;
  if (stop.unknown && stop.kind === 'kill') return true;
  if (stop.kind === 'container' && stop.broad && /run -d|start/.test(d.how)) return true;
  const text = stop.cmd.node.text;
  return d.names.some(
    (n) => stop.names.some((m) => m === n || (m.length >= 3 && n.length >= 3 && (n.startsWith(m) || m.startsWith(n)))) || (n.length >= 3 && text.includes(n)),
  );
}

function safeRegex(p: string): RegExp | undefined {
  try {
    return new RegExp(p);
  } catch {
    return undefined;
  }
}
