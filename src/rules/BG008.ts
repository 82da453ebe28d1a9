import type { Rule } from './rule.js';

const INSTALLERS = new Set(['apk', 'apt-get', 'apt', 'yum', 'dnf', 'microdnf']);

/**
 * BG008 bash-only-in-sh: syntax that busybox ash, the `sh` of images without bash, cannot run. What ash
 * runs as bash does (`[[ ]]`, `&>`, `trap … ERR`, `set -E`, `set -o pipefail`, …) is not reported: the
 * verdicts are the table of constructs in shell/facts/bashisms.ts, each proven under the real shells.
 */
export const BG008: Rule = {
  meta: {
    id: 'BG008',
    name: 'bash-only-in-sh',
    defaultSeverity: 'error',
    summary: 'Arrays, here-strings, `declare`, `|&` and other syntax that busybox ash cannot run, in a job whose image has no bash, where GitLab runs `sh`.',
    fixable: false,
  },
  check({ job, report }) {
    // An image ci-bgsafe does not know is taken as Alpine-based when the script installs with apk.
    const apk = job.main.facts.cmds.some((c) => c.name === 'apk');
    if (job.shell !== 'ash' && !(job.shell === 'unknown' && apk)) return;
    // The runner picks the shell when a step starts: bash installed by the script is not used by the
    // script itself, only by after_script, which starts later in a new shell.
    const installsBash = job.main.facts.cmds.some((c) => c.name !== undefined && INSTALLERS.has(c.name) && c.args.includes('bash'));
    const image = job.job.image ?? 'this image';
    const why = job.shell === 'ash' ? `${image} has no bash` : `${image} installs with apk, so it is Alpine-based and has no bash`;
    for (const which of ['main', 'after'] as const) {
      if (which === 'after' && installsBash) continue;
      const seen = new Set<number>();
      for (const x of job[which].facts.bashisms) {
        if (x.runs.includes('ash') || seen.has(x.start)) continue;
        seen.add(x.start);
        const what = x.what[0] === '`' ? x.what : x.what[0]!.toUpperCase() + x.what.slice(1);
        report({
          program: which,
          start: x.start,
          end: x.end,
          message: `${what} is bash-only, and ${why}: GitLab runs this script with \`sh\`, busybox ash, which fails on it or does something else. Use \`ci-bgsafe gen --shell sh\`, or install bash.`,
        });
      }
    }
  },
};
