import { backgroundStatus, cannotHang, fate, GEN_HINT, GUARD_SUGGESTION, GUARDED, guardFollows, guardStops, label } from './common.js';
import { guardFix } from './guard-fix.js';
import { libraryFix, LIBRARY_SUGGESTION } from './library-fix.js';
import type { Rule } from './rule.js';

/** BG001 unmanaged-background: a background statement that nothing ever stops. */
export const BG001: Rule = {
  meta: {
    id: 'BG001',
    name: 'unmanaged-background',
    defaultSeverity: 'error',
    summary: 'A command runs in the background and nothing stops it: no EXIT trap stops background work and no later kill or wait reaches it.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      const s = backgroundStatus(a, b);
      if (s.detach) continue; // BG011 speaks for nohup/setsid/disown
      if (s.exitTraps.length || s.laterStops.length) continue;
      if (s.traps.some((t) => t.scope.trap.signals.includes('ERR'))) continue; // BG003 speaks for an ERR-only cleanup
      if (guardStops(a, s.at, b.cmds)) {
        // Nothing hangs or leaks: no fix, the job is left as it is (docs/rules/BG001.md).
        report({
          program: 'main',
          start: b.start,
          end: b.amp + 1,
          message: `${label(b)} runs in the background and nothing in the job stops it: ${GUARDED}. Stop it yourself (an EXIT trap, or ${GEN_HINT}) to keep it out of that list.`,
          severity: 'info',
          suggestion: LIBRARY_SUGGESTION,
        });
        continue;
      }
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} runs in the background and nothing stops it: ${fate(job.executor)}. Stop it from an EXIT trap, or ${GEN_HINT}.`,
        severity: cannotHang(job.executor) ? 'warning' : undefined,
        fix: libraryFix(sources, job, b.start),
        alternative: guardFollows(b.cmds) ? guardFix(sources, job) : undefined,
        suggestion: guardFollows(b.cmds) ? `${LIBRARY_SUGGESTION} ${GUARD_SUGGESTION}` : LIBRARY_SUGGESTION,
      });
    }
  },
};
