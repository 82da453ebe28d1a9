/**
 * What a command does to background work: stop it (kill, pkill, docker stop, …), wait for it,
 * or start something that detaches (nohup, setsid, docker run -d, --daemon, …).
 */
import type { Background, Cmd, Facts } from './facts/index.js';
import { nodeRange, staticTextOf } from './facts/index.js';
import type { Node } from './parser.js';

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

function base(name: string | undefined): string {
  if (!name) return '';
  const i = name.lastIndexOf('/');
  return i >= 0 ? name.slice(i + 1) : name;
}

/** Variables expanded directly in an argument (`$PID`, `"${PID}"`); `!` for `$!`. */
function argVars(node: Node): string[] {
  const out: string[] = [];
  const visit = (n: Node) => {
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

function hasSubstitution(node: Node): Node | undefined {
  if (node.type === 'command_substitution') return node;
  for (const c of node.namedChildren) {
    if (!c) continue;
    const s = hasSubstitution(c);
    if (s) return s;
  }
  return undefined;
}

const KILL_VALUED = new Set(['-s', '-n', '--signal']);
const PKILL_VALUED = new Set(['-s', '--signal', '-u', '-U', '-g', '-G', '-P', '-t', '-F', '--pidfile', '--session', '-c', '--ns', '--nslist', '-d']);
const CONTAINER_STOP = new Set(['stop', 'kill', 'rm']);
/** The program names `classifyStop` looks at (besides /etc/init.d/ scripts). */
const STOP_NAMES = new Set([
  'kill', 'wait', 'pkill', 'killall', 'xargs', 'docker', 'podman', 'nerdctl', 'docker-compose', 'podman-compose', 'service',
  'rc-service', 'systemctl', 'pg_ctl', 'pg_ctlcluster', 'apachectl', 'apache2ctl', 'start-stop-daemon', 'ssh', 'screen',
  'tmux', 'redis-cli', 'nginx', 'ci_bgsafe_stop', 'ci_bgsafe_cleanup',
]);

/** Classifies a command as a stop (or wait), or undefined. `vars` resolves `$X` command names from CI/CD variables. */
export function classifyStop(cmd: Cmd, vars: Record<string, string> = {}): Stop | undefined {
  const { name, args } = effectiveArgv(cmd, vars);
  // Most commands stop nothing: answer before building a Stop.
  if (!STOP_NAMES.has(name) && !/^\/etc\/init\.d\//.test(cmd.name ?? '')) return undefined;
  const stop: Stop = { cmd, kind: 'kill', broad: false, unknown: false, vars: [], bang: false, jobspecs: [], names: [] };
  switch (name) {
    case 'kill':
    case 'wait': {
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
        const sub = hasSubstitution(node);
        if (sub) {
          if (/\bjobs\b/.test(sub.text)) stop.broad = true;
          else stop.unknown = true;
          continue;
        }
        const vs = argVars(node);
        const negative = (staticTextOf(node) ?? node.text).startsWith('-');
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
    case 'pkill':
    case 'killall': {
      stop.kind = name;
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
    case 'xargs': {
      // `jobs -p | xargs kill`
      if (args.some((a) => a === 'kill')) {
        stop.broad = true;
        return stop;
      }
      return undefined;
    }
    case 'docker':
    case 'podman':
    case 'nerdctl': {
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
        if (hasSubstitution(node)) stop.broad = true;
        const vs = argVars(node);
        if (vs.length) stop.vars.push(...vs);
        else stop.names.push(a);
      });
      return stop;
    }
    case 'docker-compose':
    case 'podman-compose':
      return composeStop(stop, args);
    case 'service':
    case 'rc-service':
      if (args[1] === 'stop' || args[1] === 'restart') return serviceStop(stop, [args[0] ?? '']);
      return undefined;
    case 'systemctl':
      if (args.includes('stop') || args.includes('kill')) return serviceStop(stop, args.filter((a) => !a.startsWith('-') && a !== 'stop' && a !== 'kill'));
      return undefined;
    case 'pg_ctl':
    case 'pg_ctlcluster':
    case 'apachectl':
    case 'apache2ctl':
      if (args.includes('stop')) return serviceStop(stop, [name === 'pg_ctl' || name === 'pg_ctlcluster' ? 'postgres' : 'apache']);
      return undefined;
    case 'start-stop-daemon':
      if (args.includes('--stop') || args.includes('-K')) return serviceStop(stop, args.filter((a) => !a.startsWith('-')));
      return undefined;
    case 'ssh':
      if (args.some((a, k) => a === '-O' && args[k + 1] === 'exit')) return serviceStop(stop, ['ssh']);
      return undefined;
    case 'screen':
      if (args.includes('quit')) return serviceStop(stop, ['screen']);
      return undefined;
    case 'tmux':
      if (args.includes('kill-session') || args.includes('kill-server')) return serviceStop(stop, ['tmux']);
      return undefined;
    case 'redis-cli':
      if (args.includes('shutdown')) return serviceStop(stop, ['redis']);
      return undefined;
    case 'nginx':
      if (args.includes('-s') && (args.includes('stop') || args.includes('quit'))) return serviceStop(stop, ['nginx']);
      return undefined;
    case 'ci_bgsafe_stop':
    case 'ci_bgsafe_cleanup':
      return serviceStop(stop, args.filter((a) => !a.startsWith('-')));
    default:
      if (/^\/etc\/init\.d\//.test(cmd.name ?? '') && (args[0] === 'stop' || args[0] === 'restart')) {
        return serviceStop(stop, [base(cmd.name)]);
      }
      if (/(^|\/)(init\.d|rc\.d)\//.test(cmd.name ?? '')) return undefined;
      return undefined;
  }
}

/** The verb of a docker/podman/nerdctl command line (`docker container stop x` -> `stop`) and its index. */
function containerVerb(args: string[]): { verb: string | undefined; i: number } {
  const i = args[0] === 'container' ? 1 : 0;
  return { verb: args[i], i };
}

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

/**
 * The program name and arguments, with a command name written as a CI/CD variable (`$COMPOSE up -d`,
 * `COMPOSE: docker compose -f ci.yml`) replaced by the variable's words.
 */
function effectiveArgv(cmd: Cmd, vars: Record<string, string>): { name: string; args: string[] } {
  if (cmd.name !== undefined) return { name: base(cmd.name), args: cmd.args };
  const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(cmd.rawName);
  const words = m ? vars[m[1]!]?.trim().split(/\s+/).filter(Boolean) : undefined;
  if (!words?.length) return { name: '', args: cmd.args };
  return { name: base(words[0]!), args: [...words.slice(1), ...cmd.args] };
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

const DOCKER_RUN_VALUED = new Set([
  '-p', '--publish', '-e', '--env', '-v', '--volume', '--name', '-w', '--workdir', '-u', '--user', '--network', '--net',
  '-h', '--hostname', '--entrypoint', '-l', '--label', '--env-file', '--mount', '--add-host', '-m', '--memory', '--cpus',
  '--restart', '--platform', '--pull', '--health-cmd', '--shm-size', '--ulimit', '--cap-add', '--device', '--log-driver',
  '--network-alias', '--ip', '--dns', '--tmpfs', '--security-opt', '--link', '--expose', '--runtime', '--gpus',
]);

const DAEMON_FLAGS = new Set(['--daemon', '--daemonize', '-daemon', '--fork', '--background', '--detach']);

/** Whether a command, run as written (not with `&`), detaches something that keeps running. */
export function classifyDetach(cmd: Cmd, facts: Facts, vars: Record<string, string> = {}): Detach | undefined {
  const { name, args } = effectiveArgv(cmd, vars);
  const prog = name;
  const mk = (how: string, names: string[], inGroup = false): Detach => ({
    cmd,
    how,
    names: [...new Set(names.filter((n) => n && n.length >= 2))],
    captureVar: captureVar(cmd, facts),
    inGroup,
  });
  if (cmd.wrappers.includes('sudo') && cmd.wrapperFlags.some((f) => /^-[A-Za-z]*b/.test(f) && !f.startsWith('--'))) {
    return mk('sudo -b', [prog]);
  }
  if (cmd.wrappers.includes('setsid') && cmd.wrapperFlags.some((f) => f === '-f' || f === '--fork')) {
    return mk('setsid -f', [prog]);
  }
  switch (name) {
    case 'docker':
    case 'podman':
    case 'nerdctl': {
      const { verb, i } = containerVerb(args);
      if (verb === 'compose') return composeUp(cmd, args.slice(i + 1), facts);
      if (verb === 'start' && !args.slice(i + 1).some((a) => a === '-a' || a === '--attach' || a === '-i')) {
        return mk(`${name} start`, args.slice(i + 1).filter((a) => !a.startsWith('-')));
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
    case 'docker-compose':
    case 'podman-compose':
      return composeUp(cmd, args, facts);
    case 'ssh':
      if (args.some((a) => /^-[a-zA-Z]*f[a-zA-Z]*$/.test(a))) return mk('ssh -f', ['ssh']);
      return undefined;
    case 'screen':
      if (args.some((a) => /^-[a-zA-Z]*d[a-zA-Z]*m|^-[a-zA-Z]*m[a-zA-Z]*d/.test(a)) || (args.includes('-d') && args.includes('-m'))) {
        return mk('screen -dm', ['screen']);
      }
      return undefined;
    case 'tmux':
      if ((args.includes('new') || args.includes('new-session')) && args.some((a) => /^-[a-zA-Z]*d/.test(a))) return mk('tmux new -d', ['tmux']);
      return undefined;
    case 'start-stop-daemon':
      if ((args.includes('--start') || args.includes('-S')) && (args.includes('--background') || args.includes('-b'))) {
        const exec = args[args.indexOf('--exec') + 1] ?? args[args.indexOf('-x') + 1];
        return mk('start-stop-daemon --background', [base(exec)]);
      }
      return undefined;
    case 'service':
    case 'rc-service':
      if (args[1] === 'start' || args[1] === 'restart') return mk(`${name} ${args[0]} start`, [args[0] ?? '']);
      return undefined;
    case 'systemctl':
      if (args.includes('start') || args.includes('restart')) return mk('systemctl start', args.filter((a) => !a.startsWith('-') && a !== 'start' && a !== 'restart'));
      return undefined;
    case 'pg_ctl':
    case 'pg_ctlcluster':
      if (args.includes('start') || args.includes('restart')) return mk(`${name} start`, ['postgres', 'pg_ctl']);
      return undefined;
    case 'apachectl':
    case 'apache2ctl':
      if (args.includes('start')) return mk(`${name} start`, ['apache', 'httpd', 'apache2']);
      return undefined;
    case 'pulseaudio':
      if (args.includes('--start') || args.includes('-D') || args.includes('--daemonize')) return mk('pulseaudio --start', ['pulseaudio']);
      return undefined;
    default:
      break;
  }
  if (/^\/etc\/init\.d\//.test(cmd.name ?? '') && (args[0] === 'start' || args[0] === 'restart')) {
    return mk(`${cmd.name} start`, [base(cmd.name)]);
  }
  for (let k = 0; k < args.length; k++) {
    const a = args[k]!;
    if (!a.startsWith('-')) continue; // every daemon flag is an option (most arguments are not)
    const parts = a.split('=');
    const flag = parts[0]!;
    if (!DAEMON_FLAGS.has(flag)) continue;
    const value = parts.length > 1 ? parts[1] : args[k + 1];
    if (flag === '--daemonize' && value && /^(no|false)$/i.test(value)) return undefined;
    if ((flag === '--daemon' || flag === '--daemonize') && value && /^(no|false|off)$/i.test(value)) return undefined;
    return mk(`${prog} ${flag}${flag === '--daemonize' && value === 'yes' ? ' yes' : ''}`, [prog]);
  }
  return undefined;
}

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
  let n: Node | null = cmd.node.parent;
  while (n && n.type !== 'command_substitution') {
    if (n.type === 'program' || n.type === 'compound_statement') return undefined;
    n = n.parent;
  }
  if (!n) return undefined;
  const at = nodeRange(cmd, n);
  const assign = facts.assignments.find((a) => a.start <= at.start && a.end >= at.end);
  return assign?.name;
}
