import type { Rule } from './rule.js';

/** BG008 bash-only-in-sh: bash syntax in a job whose image runs `sh`. */
export const BG008: Rule = {
  meta: {
    id: 'BG008',
    name: 'bash-only-in-sh',
    defaultSeverity: 'error',
    summary: '`trap … ERR`, `set -E`, arrays and other bash-only syntax in a job whose image has no bash, where GitLab runs `sh`.',
    fixable: false,
  },
  check({ job, report }) {
    if (job.shell !== 'sh') return;
    // The runner picks the shell when a step starts: bash installed by the script is not used by the
    // script itself, only by after_script, which starts later in a new shell.
    const installsBash = job.main.facts.cmds.some(
      (c) => (c.name === 'apk' || c.name === 'apt-get' || c.name === 'apt' || c.name === 'yum' || c.name === 'dnf' || c.name === 'microdnf') && c.args.includes('bash'),
    );
    for (const which of ['main', 'after'] as const) {
      const a = job[which];
      if (which === 'after' && installsBash) continue;
      const image = job.job.image ?? 'this image';
      const seen = new Set<number>();
      const add = (start: number, end: number, what: string) => {
        if (seen.has(start)) return;
        seen.add(start);
        report({
          program: which,
          start,
          end,
          message: `${what} is bash-only, but ${image} has no bash, so GitLab runs this script with \`sh\`: ${what.startsWith('`trap') ? 'the trap never fires' : 'it fails or does something else there'}. Use \`ci-bgsafe gen --shell sh\`, or install bash.`,
        });
      };
      for (const t of a.facts.traps) {
        const err = t.rawSignals.find((s) => s.text.toUpperCase() === 'ERR');
        if (err) add(err.start, err.end, '`trap … ERR`');
      }
      for (const x of a.facts.bashisms) add(x.start, x.end, x.what[0] === '`' ? x.what : x.what[0]!.toUpperCase() + x.what.slice(1));
    }
  },
};
