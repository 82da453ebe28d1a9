import { covers, type HandlerScope, type ProgramAnalysis } from '../shell/analysis.js';
import { stopTargets } from '../shell/stops.js';
import { trapTime } from './common.js';
import type { Rule } from './rule.js';

/** BG004 trap-misses-cancel: a cleanup trap that neither EXIT nor TERM reaches, so cancel and timeout skip it. */
export const BG004: Rule = {
  meta: {
    id: 'BG004',
    name: 'trap-misses-cancel',
    defaultSeverity: 'warning',
    summary: 'A cleanup trap covers neither EXIT nor TERM: when the job is cancelled or times out it never runs.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    for (const scope of a.cleanupTraps) {
      if (covers(scope.trap, 'EXIT', 'TERM') || trapTime(a, scope) === undefined || coveredElsewhere(a, scope)) continue;
      const sigs = scope.trap.rawSignals.map((s) => s.text).join(' ');
      report({
        program: 'main',
        start: scope.trap.cmd.start,
        end: scope.trap.cmd.end,
        message: `This cleanup trap covers ${sigs || 'no signal'} but neither EXIT nor TERM: GitLab cancels and times out a job with SIGTERM, so the cleanup never runs then and the background work is left behind. Trap EXIT (and name signals, not numbers).`,
        suggestion: 'trap cleanup EXIT HUP INT QUIT ABRT TERM',
      });
    }
  },
};

/**
 * Whether another installed cleanup trap, one that EXIT or TERM reaches, stops what this one stops
 * (`trap cleanup ERR` next to `trap cleanup EXIT`): then cancel and timeout do clean up.
 */
function coveredElsewhere(a: ProgramAnalysis, scope: HandlerScope): boolean {
  const others = a.cleanupTraps.filter((o) => o !== scope && covers(o.trap, 'EXIT', 'TERM') && trapTime(a, o) !== undefined);
  if (!others.length) return false;
  const stopped = (s: HandlerScope) => a.facts.backgrounds.filter((b) => s.stops.some((x) => x.kind !== 'wait' && stopTargets(x, b, a)));
  const mine = stopped(scope);
  if (!mine.length) return true;
  const theirs = new Set(others.flatMap(stopped));
  return mine.every((b) => theirs.has(b));
}
