import { backgroundStatus, cannotHang, label } from './common.js';
import type { Rule } from './rule.js';

/** BG009 output-holds-job-pipe: the background process keeps the job's stdout or stderr open. */
export const BG009: Rule = {
  meta: {
    id: 'BG009',
    name: 'output-holds-job-pipe',
    defaultSeverity: 'warning',
    summary: 'A background statement leaves stdout or stderr on the job\'s output; on shell and SSH executors the job waits for it.',
    fixable: true,
  },
  check({ job, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      if (b.stdout !== 'job' && b.stderr !== 'job') continue;
      const s = backgroundStatus(a, b);
      if (s.stoppedRightAway) continue; // `cmd & wait $!`: the job waits for it anyway
      const which = b.stdout === 'job' && b.stderr === 'job' ? 'stdout and stderr' : b.stdout === 'job' ? 'stdout' : 'stderr';
      const nohup = b.cmds[0]?.wrappers.includes('nohup') ? ' (`nohup` redirects only when stdout is a terminal, and a CI job has none)' : '';
      const order = /2>&1\s*>/.test(b.node.text) ? ' (`2>&1 >file` copies stderr from the job\'s output before stdout moves: put `2>&1` last)' : '';
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} keeps the job's ${which} open${nohup}${order}: ${cannotHang(job.executor) ? 'its output mixes into the job log until the container stops' : 'the runner waits until every holder of the job\'s output closes it, so the job cannot finish before the process exits'}. Redirect both streams to a log file: \`>"$CI_PROJECT_DIR/…log" 2>&1\`.`,
        severity: cannotHang(job.executor) ? 'info' : undefined,
      });
    }
  },
};
