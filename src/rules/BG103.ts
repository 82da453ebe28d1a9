import type { Rule } from './rule.js';

/** BG103 after-script-cannot-fail-job: an `exit 1` in after_script does not fail the job. */
export const BG103: Rule = {
  meta: {
    id: 'BG103',
    name: 'after-script-cannot-fail-job',
    defaultSeverity: 'info',
    summary: '`after_script` tries to fail the job (`exit 1`), but its exit status is ignored unless `AFTER_SCRIPT_IGNORE_ERRORS: "false"`.',
    fixable: false,
  },
  check({ job, report }) {
    if (String(job.variables.AFTER_SCRIPT_IGNORE_ERRORS ?? '').toLowerCase() === 'false') return;
    for (const c of job.after.facts.cmds) {
      if (c.name !== 'exit' || c.fn || c.sub) continue;
      const arg = c.args[0];
      if (arg === undefined || arg === '0') continue;
      report({
        program: 'after',
        start: c.start,
        end: c.end,
        message: `\`${c.node.text}\` cannot fail the job: GitLab ignores after_script's exit status unless the job sets \`AFTER_SCRIPT_IGNORE_ERRORS: "false"\`. Make the check in \`script\`, or set that variable.`,
      });
    }
  },
};
