import { backgroundStatus, cannotHang, detachFlowStop, dockerDaemonIsJobService, GUARDED, guardFollows, guardStops, label, mayFailBetween } from './common.js';
import { guardFix } from './guard-fix.js';
import { libraryFix, LIBRARY_SUGGESTION } from './library-fix.js';
import type { Rule } from './rule.js';

/** BG002 cleanup-only-on-success: stopped at the end of the script, but a failure before that skips the stop. */
export const BG002: Rule = {
  meta: {
    id: 'BG002',
    name: 'cleanup-only-on-success',
    defaultSeverity: 'error',
    summary: 'A background command, or what a detaching command started, is stopped or waited for later in the script, but no trap stops it when a command in between fails.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      const s = backgroundStatus(a, b);
      if (s.detach || !s.laterStops.length || s.stoppedRightAway || s.failureTraps.length) continue;
      const stop = s.laterStops[0]!.stop.cmd;
      const line = a.program.text.slice(0, stop.start).split('\n').length;
      if (guardStops(a, s.at, b.cmds)) {
        // Nothing hangs or leaks: no fix, the job is left as it is (docs/rules/BG002.md).
        report({
          program: 'main',
          start: b.start,
          end: b.amp + 1,
          message: `${label(b)} is stopped only when the script reaches \`${stop.node.text.replace(/\s+/g, ' ')}\` (program line ${line}); if a command before it fails, ${GUARDED}.`,
          severity: 'info',
          suggestion: LIBRARY_SUGGESTION,
        });
        continue;
      }
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} is stopped only when the script reaches \`${stop.node.text.replace(/\s+/g, ' ')}\` (program line ${line}); if a command before it fails, GitLab's errexit ends the script there and ${cannotHang(job.executor) ? 'the process is left to be killed with the container' : 'the job hangs until its timeout or the process outlives it'}. Stop it from an EXIT trap instead.`,
        severity: cannotHang(job.executor) ? 'warning' : undefined,
        fix: libraryFix(sources, job, b.start),
        alternative: guardFollows(b.cmds) ? guardFix(sources, job) : undefined,
        suggestion: LIBRARY_SUGGESTION,
      });
    }
    // What a command detached (`docker run -d`, `mongod --fork`, `nohup cmd &`, `ssh-agent`, …) and a later
    // line stops: `docker stop`, `mongod --shutdown`, `kill $PID`, `ssh-agent -k`.
    for (const { detach: d, at } of a.detaches) {
      if (d.cmd.fn !== undefined) continue;
      // In a container the agent dies with it; containers on the job's own dind service go with it.
      if (d.how === 'ssh-agent' && cannotHang(job.executor)) continue;
      const container = /^(docker|podman|nerdctl)\b/.test(d.how) || d.how.includes('compose');
      if (container && dockerDaemonIsJobService(job, d.cmd)) continue;
      const stop = detachFlowStop(a, job.after, d, at);
      if (!stop || stop.cmd.fn !== undefined) continue;
      const b = d.background && d.how !== 'disown' ? d.background : undefined;
      if (!mayFailBetween(a, b ? b.amp : d.cmd.end, stop.cmd.start, undefined).length) continue;
      const start = b ? b.start : d.cmd.start;
      const end = b ? b.amp + 1 : d.cmd.end;
      const line = a.program.text.slice(0, stop.cmd.start).split('\n').length;
      const where = `\`${d.how}\` is stopped only when the script reaches \`${stop.cmd.node.text.replace(/\s+/g, ' ')}\` (program line ${line}); if a command before it fails`;
      if (guardStops(a, at, b ? [d.cmd, ...b.cmds] : [d.cmd], d.how)) {
        report({ program: 'main', start, end, message: `${where}, ${GUARDED}.`, severity: 'info' });
        continue;
      }
      const compose = d.how.includes('compose');
      const fate = container
        ? `${compose ? 'its containers are' : 'the container is'} left running on the Docker host, holding ports and names the next job needs`
        : cannotHang(job.executor)
          ? 'it runs on until the container is removed'
          : 'it outlives the job and piles up on the runner';
      report({
        program: 'main',
        start,
        end,
        message: `${where}, GitLab's errexit ends the script there and ${fate}. Stop it from an EXIT trap instead.`,
        severity: cannotHang(job.executor) && !container ? 'warning' : undefined,
      });
    }
  },
};
