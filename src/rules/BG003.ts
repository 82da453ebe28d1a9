import { covers } from '../shell/analysis.js';
import { backgroundStatus, label, trapTime } from './common.js';
import type { Rule } from './rule.js';

/** BG003 err-trap-without-exit: a cleanup on ERR only, so nothing stops the work when every command passes. */
export const BG003: Rule = {
  meta: {
    id: 'BG003',
    name: 'err-trap-without-exit',
    defaultSeverity: 'error',
    summary: 'The cleanup trap covers ERR but not EXIT and nothing stops the background work on success: the job hangs when everything passes.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    for (const scope of a.cleanupTraps) {
      if (!covers(scope.trap, 'ERR') || covers(scope.trap, 'EXIT') || trapTime(a, scope) === undefined) continue;
      const left = a.facts.backgrounds.filter((b) => {
        const s = backgroundStatus(a, b);
        return s.traps.some((t) => t.scope === scope) && !s.exitTraps.length && !s.laterStops.length;
      });
      if (!left.length) continue;
      report({
        program: 'main',
        start: scope.trap.cmd.start,
        end: scope.trap.cmd.end,
        message: `This trap stops ${left.map(label).join(', ')} only when a command fails (ERR); when every command passes nothing stops it and the job hangs until its timeout. Add EXIT to the trap's signals.`,
        suggestion: 'trap cleanup EXIT HUP INT QUIT TERM',
      });
    }
  },
};
