import { backgroundStatus, cannotHang, GUARDED, guardFollows, guardStops, label } from './common.js';
import { guardFix } from './guard-fix.js';
import { libraryFix, LIBRARY_SUGGESTION } from './library-fix.js';
import type { Rule } from './rule.js';

/** BG002 cleanup-only-on-success: stopped at the end of the script, but a failure before that skips the stop. */
export const BG002: Rule = {
  meta: {
    id: 'BG002',
    name: 'cleanup-only-on-success',
    defaultSeverity: 'error',
    summary: 'A background command is stopped or waited for later in the script, but no trap stops it when a command in between fails.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      const s = backgroundStatus(a, b);
      if (s.detach || !s.laterStops.length || s.stoppedRightAway || s.failureTraps.length) continue;
      const stop = s.laterStops[0]!.stop.cmd;
      const line = a.program.text.slice(0, stop.start).split('\n').length;
      if (guardStops(a, s.at, b.cmds)) {
        // Nothing hangs or leaks: no fix, the job is left as it is (docs/rules/BG002.md).
        report({
          program: 'main',
          start: b.start,
          end: b.amp + 1,
          message: `${label(b)} is stopped only when the script reaches \`${stop.node.text.replace(/\s+/g, ' ')}\` (program line ${line}); if a command before it fails, ${GUARDED}.`,
          severity: 'info',
          suggestion: LIBRARY_SUGGESTION,
        });
        continue;
      }
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} is stopped only when the script reaches \`${stop.node.text.replace(/\s+/g, ' ')}\` (program line ${line}); if a command before it fails, GitLab's errexit ends the script there and ${cannotHang(job.executor) ? 'the process is left to be killed with the container' : 'the job hangs until its timeout or the process outlives it'}. Stop it from an EXIT trap instead.`,
        severity: cannotHang(job.executor) ? 'warning' : undefined,
        fix: libraryFix(sources, job, b.start),
        alternative: guardFollows(b.cmds) ? guardFix(sources, job) : undefined,
        suggestion: LIBRARY_SUGGESTION,
      });
    }
  },
};
