/** Shared helpers for the generator tests: service stand-ins and generating a preamble. */
import { createServer } from 'node:net';
import { generate, type GenSpec, type GenFormat, type GenShell, type ServiceSpec } from '../../src/gen/index.js';

/** The grace period the test preambles give a service between TERM and KILL. */
const GRACE_S = 2;
export const GRACE_MS = GRACE_S * 1000;
/** Allowed time beyond the grace period for the cleanup itself (generous: 2 cores, concurrent jobs). */
export const MARGIN_MS = 8000;

export function preamble(spec: GenSpec, shell: GenShell = 'bash', format: GenFormat = 'script'): string {
  return generate({ grace: GRACE_S, readyTimeout: 5, ...spec }, { format, shell });
}

/** Commands standing in for real services (all plain POSIX sh + sleep). */
export const SVC = {
  /** A well-behaved service: exits on TERM. */
  plain: `sh -c 'echo plain up; while :; do sleep 1; done'`,
  /** Ignores TERM (like a root process sudo started, or a slow shutdown): needs KILL after the grace period. */
  ignoresTerm: `sh -c 'trap "" TERM; echo stubborn up; while :; do sleep 1; done'`,
  /** Forks children that inherit (and hold) its descriptors. */
  forks: `sh -c 'sleep 1000 & sleep 1000 & echo forked; wait'`,
  /** Double-forks into a new session and exits: only the cookie finds it. */
  daemonizes: `sh -c 'setsid sh -c "exec sleep 1000" </dev/null >/dev/null 2>&1 & echo daemonized'`,
  /** Dies after a second with status 3. */
  diesEarly: `sh -c 'sleep 1; echo "boom: fatal error"; exit 3'`,
  /** Becomes ready (creates ready.flag) after 2 seconds. */
  slowReady: `sh -c 'sleep 2; touch ready.flag; echo slow ready; exec sleep 1000'`,
  /** Never becomes ready. */
  neverReady: `sh -c 'echo "waiting for a licence server that never answers"; exec sleep 1000'`,
} as const;

/** One service of each kind the scenarios stop: well-behaved, TERM-ignoring, forking, daemonizing, slow to be ready. */
export const SCENARIO_SERVICES: ServiceSpec[] = [
  { name: 'plain', command: SVC.plain },
  { name: 'stubborn', command: SVC.ignoresTerm },
  { name: 'forks', command: SVC.forks },
  { name: 'daemon', command: SVC.daemonizes, onExit: 'ignore' },
  { name: 'slow', command: SVC.slowReady, ready: 'file:ready.flag' },
];

/**
 * A TCP port of 127.0.0.1 that nothing listens on now, chosen by the kernel (a random number may be one
 * another test's server, running at the same time, is bound to, or a port in use for a connection).
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
