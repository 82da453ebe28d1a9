import type { Rule } from './rule.js';

/** BG010 broad-kill: cleanup by process name or pattern. */
export const BG010: Rule = {
  meta: {
    id: 'BG010',
    name: 'broad-kill',
    defaultSeverity: 'warning',
    summary: 'Cleanup stops processes by name or pattern (`pkill`, `killall`): on a shared runner it kills other jobs\' processes, and `pkill -f` can match the job\'s own shell.',
    fixable: false,
  },
  check({ job, report }) {
    for (const which of ['main', 'after'] as const) {
      const a = job[which];
      const seen = new Set<number>();
      const visit = (cmdStart: number, cmdEnd: number, name: string | undefined, args: string[]) => {
        if (name !== 'pkill' && name !== 'killall') return;
        // By PID file or by parent PID (`pkill -P $PID`: the children of a process the job started), not by name.
        if (args.some((x) => x === '-F' || x.startsWith('--pidfile') || x === '-P' || x.startsWith('--parent'))) return;
        if (seen.has(cmdStart)) return;
        seen.add(cmdStart);
        const f = name === 'pkill' && args.some((x) => /^-[a-zA-Z]*f/.test(x) || x === '--full');
        report({
          program: which,
          start: cmdStart,
          end: cmdEnd,
          message: `\`${name}\` stops every process with that ${f ? 'command line' : 'name'} on the runner host, including other jobs' on a shared shell runner${f ? ', and with -f the pattern also matches this job\'s own shell, whose script contains it' : ''}. Keep the PID (\`pid=$!\`) and kill that process group instead.`,
        });
      };
      for (const c of a.facts.cmds) visit(c.start, c.end, c.name?.slice(c.name.lastIndexOf('/') + 1), c.args);
      // Commands written inside a trap's handler text: `trap 'pkill -f server' EXIT`.
      for (const h of a.handlers) {
        for (const c of h.own) visit(c.start, c.end, c.name?.slice(c.name.lastIndexOf('/') + 1), c.args);
      }
    }
  },
};
