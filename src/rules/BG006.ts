import { covers } from '../shell/analysis.js';
import { programEdit, startsStatement } from './edits.js';
import type { Rule } from './rule.js';
import type { Fix, TextEdit } from '../types.js';

/** BG006 err-trap-without-errtrace: an ERR trap that functions, subshells and `$( )` never trigger. */
export const BG006: Rule = {
  meta: {
    id: 'BG006',
    name: 'err-trap-without-errtrace',
    defaultSeverity: 'warning',
    summary: '`trap … ERR` without `set -E` (errtrace): failures inside functions, subshells and command substitutions skip the trap.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    if (job.shell === 'powershell') return; // bash and busybox ash both run ERR traps and set -E
    const errtrace = a.facts.sets.some((s) => !s.sub && s.enable.includes('errtrace'));
    if (errtrace) return;
    for (const h of a.handlers) {
      if (!covers(h.trap, 'ERR') || h.trap.sub) continue;
      report({
        program: 'main',
        start: h.trap.cmd.start,
        end: h.trap.cmd.end,
        message: 'This ERR trap runs without `set -E` (errtrace), which GitLab does not set: a command failing inside a function, a subshell or `$( … )` ends the job without running it. Add `set -E` before the trap.',
        suggestion: 'set -E',
        // `set -E; ` in front of the trap, on the trap's own line.
        fix: h.trap.sub || !startsStatement(h.trap.cmd.node) ? undefined : fixOf(programEdit(sources, a, h.trap.cmd.start, h.trap.cmd.start, 'set -E; ')),
      });
    }
  },
};

function fixOf(edit: TextEdit | undefined): Fix | undefined {
  return edit && { title: 'Add set -E before the ERR trap', edits: [edit] };
}
