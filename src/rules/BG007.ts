import { covers } from '../shell/analysis.js';
import type { Cmd } from '../shell/facts/index.js';
import type { Rule } from './rule.js';

/** BG007 trap-masks-exit-status: the cleanup handler's own `exit` replaces the job's exit status. */
export const BG007: Rule = {
  meta: {
    id: 'BG007',
    name: 'trap-masks-exit-status',
    defaultSeverity: 'error',
    summary: 'An EXIT or ERR handler ends with `exit 0`, or a bare `exit` after other commands, turning a failed job green.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    const seen = new Set<number>();
    for (const h of a.handlers) {
      if (!covers(h.trap, 'EXIT', 'ERR')) continue;
      // Group the handler's commands by body: its own text, or each function it calls.
      const bodies = new Map<string, Cmd[]>();
      for (const c of h.cmds) {
        const key = h.own.has(c) ? '' : c.fn ?? '';
        const list = bodies.get(key) ?? [];
        list.push(c);
        bodies.set(key, list);
      }
      for (const cmds of bodies.values()) {
        cmds.forEach((c, i) => {
          if (c.name !== 'exit' || c.sub) return;
          const arg = c.args[0];
          const masks = arg === '0' || ((arg === undefined || arg === '$?') && i > 0);
          if (!masks) return;
          const start = c.start;
          if (seen.has(start)) return;
          seen.add(start);
          report({
            program: 'main',
            start,
            end: c.end,
            message: `\`${c.node.text}\` in a cleanup handler replaces the job's exit status${arg === '0' ? ' with 0' : ' with that of the last cleanup command'}: a failed job turns green. Save \`rc=$?\` first and \`exit "$rc"\`, or do not exit from the handler.`,
          });
        });
      }
    }
  },
};
