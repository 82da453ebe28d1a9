import { covers } from '../shell/analysis.js';
import { backgroundStatus, label } from './common.js';
import type { Rule } from './rule.js';

/** BG014 sudo-background: a root process in the background, out of reach of the runner's kill. */
export const BG014: Rule = {
  meta: {
    id: 'BG014',
    name: 'sudo-background',
    defaultSeverity: 'warning',
    summary: 'A background process started through `sudo`: the runner\'s cancel kill cannot reach a root process, so cleanup must `sudo` an exactly whitelisted stop command.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      const c = b.cmds[0];
      if (!c || !(c.wrappers.includes('sudo') || c.wrappers.includes('doas'))) continue;
      // Already stopped as recommended: a trap on EXIT or TERM that stops it through sudo.
      const s = backgroundStatus(a, b);
      const sudoStop = s.traps.some(
        (t) => covers(t.scope.trap, 'EXIT', 'TERM') && t.scope.stops.some((st) => st.cmd.wrappers.includes('sudo') || st.cmd.wrappers.includes('doas')),
      );
      if (sudoStop) continue;
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} runs as root through \`sudo\`: when the job is cancelled the runner's SIGTERM to the job's process group cannot reach it, and the unprivileged job cannot kill it. Stop it with an exactly whitelisted \`sudo\` command from an EXIT trap; \`ci-bgsafe gen --sudo NAME --format sudoers\` prints the sudoers lines.`,
      });
    }
  },
};
