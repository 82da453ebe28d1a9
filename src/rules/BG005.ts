import { backgroundStatus, label, mayFailBetween } from './common.js';
import { libraryFix } from './library-fix.js';
import type { Rule } from './rule.js';

/** BG005 background-before-trap: the process starts before its cleanup trap exists. */
export const BG005: Rule = {
  meta: {
    id: 'BG005',
    name: 'background-before-trap',
    defaultSeverity: 'warning',
    summary: 'A background process starts before the cleanup trap is installed, with commands in between that can fail.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      const s = backgroundStatus(a, b);
      if (!s.traps.length) continue;
      const firstTrap = Math.min(...s.traps.map((t) => t.at));
      if (firstTrap < s.at) continue;
      const between = mayFailBetween(a, b.amp, firstTrap, undefined);
      if (!between.length) continue;
      const shown = between.slice(0, 2).map((c) => `\`${c.node.text.replace(/\s+/g, ' ').slice(0, 30)}\``).join(', ');
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} starts before its cleanup trap is installed; if ${shown}${between.length > 2 ? ' or another command' : ''} fails or the job is cancelled in between, nothing stops it. Install the trap first, then start the process.`,
        fix: libraryFix(sources, job, b.start),
        suggestion: 'Install the cleanup trap before starting the process, or start it with `ci_bgsafe_start NAME -- COMMAND…` after `!reference [.ci-bgsafe, before_script]`.',
      });
    }
  },
};
