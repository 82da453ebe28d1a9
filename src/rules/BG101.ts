import { dockerDaemonIsJobService } from './common.js';
import type { Rule } from './rule.js';

/** BG101 cleanup-in-after-script: stopping processes from after_script, which runs too late and in another shell. */
export const BG101: Rule = {
  meta: {
    id: 'BG101',
    name: 'cleanup-in-after-script',
    defaultSeverity: 'error',
    summary: '`after_script` stops processes started in `script`: it runs only after `script` ended, too late on shell executors, and cannot see `$!`.',
    fixable: false,
  },
  check({ job, report }) {
    const started = job.main.facts.backgrounds.length > 0 || job.main.detaches.length > 0;
    if (!started) return;
    for (const { stop } of job.after.flowStops) {
      if (stop.kind === 'wait') continue;
      const text = stop.cmd.node.text.replace(/\s+/g, ' ');
      if (stop.kind === 'container' || stop.kind === 'compose') {
        // On the job's own docker:dind service the containers go with the service: nothing is late.
        if (dockerDaemonIsJobService(job, stop.cmd)) continue;
        report({
          program: 'after',
          start: stop.cmd.start,
          end: stop.cmd.end,
          message: `\`${text}\` in after_script is a late and unreliable cleanup: after_script runs only once \`script\` has ended, not when the job times out without room left, nor after a hard kill, nor on cancel before GitLab 17.0, and then the containers outlive the job. Stop them from an EXIT trap in the script (keep this line as a second net if you like).`,
        });
        continue;
      }
      report({
        program: 'after',
        start: stop.cmd.start,
        end: stop.cmd.end,
        message: `\`${stop.cmd.node.text.replace(/\s+/g, ' ')}\` in after_script comes too late: after_script runs only once \`script\` has ended, and on a shell runner a process still holding the job's output keeps \`script\` from ending, so the job hangs first; it also runs in a new shell that cannot see \`$!\` or script's variables, and not at all after a hard kill. Stop the process from an EXIT trap in the script.`,
      });
    }
  },
};
