/** The tables the facts are read with: signal numbers, `set` letters, command wrappers. */

const SIGNAL_NUMBERS: Record<string, string> = {
  '0': 'EXIT', '1': 'HUP', '2': 'INT', '3': 'QUIT', '4': 'ILL', '5': 'TRAP', '6': 'ABRT', '7': 'BUS', '8': 'FPE',
  '9': 'KILL', '10': 'USR1', '11': 'SEGV', '12': 'USR2', '13': 'PIPE', '14': 'ALRM', '15': 'TERM',
};

/** A signal as `trap` takes it (`15`, `SIGTERM`, `term`) by its name: `TERM`. */
export function normaliseSignal(s: string): string {
  const n = SIGNAL_NUMBERS[s];
  if (n) return n;
  const up = s.toUpperCase();
  return up.startsWith('SIG') ? up.slice(3) : up;
}

/** `set`'s one-letter options by their long names. */
export const SET_SHORT: Record<string, string> = {
  e: 'errexit', E: 'errtrace', u: 'nounset', x: 'xtrace', m: 'monitor', T: 'functrace', f: 'noglob', C: 'noclobber',
};

/** How a wrapper's own words end and the command it runs begins. */
export interface Wrapper {
  /** Options that take a value (the next word). */
  valued: ReadonlySet<string>;
  /** An operand accepted as the first word (`timeout 5 cmd`, `nice -5 cmd`, `taskset 0x3 cmd`). */
  lead?: RegExp;
  /** An operand accepted after the options (`timeout -s KILL 5 cmd`). */
  operand?: RegExp;
  /** `NAME=value` words are the wrapper's (`env A=1 cmd`). */
  assigns?: boolean;
}

const DURATION = /^-?[\d.]+[smhd]?$/;

/** Wrappers that run another command. */
export const WRAPPERS = new Map<string, Wrapper>(Object.entries({
  sudo: { valued: new Set(['-u', '-g', '-C', '-D', '-h', '-p', '-r', '-t', '-U', '-T', '-R']) },
  nohup: { valued: new Set() },
  setsid: { valued: new Set() },
  env: { valued: new Set(['-u', '-C', '-S']), assigns: true },
  exec: { valued: new Set(['-a']) },
  timeout: { valued: new Set(['-s', '-k', '--signal', '--kill-after']), lead: DURATION, operand: /^[\d.]+[smhd]?$/ },
  nice: { valued: new Set(['-n']), lead: DURATION },
  ionice: { valued: new Set(['-c', '-n', '-p']) },
  stdbuf: { valued: new Set(['-i', '-o', '-e']) },
  chrt: { valued: new Set(), lead: DURATION },
  taskset: { valued: new Set(), lead: /^(?!-)/ },
  time: { valued: new Set() },
  command: { valued: new Set() },
  builtin: { valued: new Set() },
  doas: { valued: new Set(['-u', '-C']) },
  // Privilege wrappers: `runuser -u postgres -- pg_ctl start`, `gosu redis redis-server`, `su-exec app ./server`,
  // `setpriv --reuid 1000 cmd`, `chpst -u redis cmd`. `runuser USER -c '…'` runs a string (see stops.ts).
  runuser: { valued: new Set(['-u', '--user', '-g', '--group', '-G', '--supp-group', '-s', '--shell', '-w', '--whitelist-environment', '-c', '--command']), lead: /^(?!-)/ },
  gosu: { valued: new Set(), lead: /^(?!-)/ },
  'su-exec': { valued: new Set(), lead: /^(?!-)/ },
  setpriv: { valued: new Set(['--reuid', '--regid', '--groups', '--inh-caps', '--ambient-caps', '--bounding-set', '--securebits', '--selinux-label', '--apparmor-profile', '--pdeathsig']) },
  chpst: { valued: new Set(['-u', '-U', '-b', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t']) },
} satisfies Record<string, Wrapper>));
