import { backgroundStatus, cannotHang, guardFollows, guardStops, label } from './common.js';
import { guardFix } from './guard-fix.js';
import { backgroundName, programEdit, startsStatement, type Sources } from './edits.js';
import type { ProgramAnalysis, Rule } from './rule.js';
import type { Background } from '../shell/facts/index.js';
import type { Fix } from '../types.js';

/** Where logs of redirected background commands go (the generator's library uses the same folder). */
const LOG_DIR = '"${CI_PROJECT_DIR:-.}/.ci-bgsafe"';

/** BG009 output-holds-job-pipe: the background process keeps the job's stdout or stderr open. */
export const BG009: Rule = {
  meta: {
    id: 'BG009',
    name: 'output-holds-job-pipe',
    defaultSeverity: 'warning',
    summary: 'A background statement leaves stdout or stderr on the job\'s output; on shell and SSH executors the job waits for it.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const b of a.facts.backgrounds) {
      if (b.stdout !== 'job' && b.stderr !== 'job') continue;
      const s = backgroundStatus(a, b);
      if (s.stoppedRightAway) continue; // `cmd & wait $!`: the job waits for it anyway
      if (guardStops(a, s.at, b.cmds)) continue; // the job guard stops it when the script ends, and the output closes
      const which = b.stdout === 'job' && b.stderr === 'job' ? 'stdout and stderr' : b.stdout === 'job' ? 'stdout' : 'stderr';
      const nohup = b.cmds[0]?.wrappers.includes('nohup') ? ' (`nohup` redirects only when stdout is a terminal, and a CI job has none)' : '';
      const order = /2>&1\s*>/.test(b.node.text) ? ' (`2>&1 >file` copies stderr from the job\'s output before stdout moves: put `2>&1` last)' : '';
      report({
        program: 'main',
        start: b.start,
        end: b.amp + 1,
        message: `${label(b)} keeps the job's ${which} open${nohup}${order}: ${cannotHang(job.executor) ? 'its output mixes into the job log until the container stops' : 'the runner waits until every holder of the job\'s output closes it, so the job cannot finish before the process exits'}. Redirect both streams to a log file: \`>"$CI_PROJECT_DIR/…log" 2>&1\`.`,
        severity: cannotHang(job.executor) ? 'info' : undefined,
        fix: fix(sources, a, b),
        alternative: !cannotHang(job.executor) && guardFollows(b.cmds) ? guardFix(sources, job) : undefined,
        suggestion: `Send both streams to a log file: \`cmd >"\${CI_PROJECT_DIR:-.}/.ci-bgsafe/NAME.log" 2>&1 &\` (after \`mkdir -p ${LOG_DIR}\`).`,
      });
    }
  },
};

/** `mkdir -p …/.ci-bgsafe; ` in front of the statement and ` >"…/.ci-bgsafe/NAME.log" 2>&1` after its command. */
function fix(sources: Sources, a: ProgramAnalysis, b: Background): Fix | undefined {
  if (b.cmds.length !== 1 || !['command', 'redirected_statement'].includes(b.node.type) || !startsStatement(b.node) || b.end > b.amp) return undefined;
  const log = `"\${CI_PROJECT_DIR:-.}/.ci-bgsafe/${backgroundName(a, b)}.log"`;
  const mkdir = programEdit(sources, a, b.start, b.start, `mkdir -p ${LOG_DIR}; `);
  const redirect = programEdit(sources, a, b.end, b.end, ` >${log} 2>&1`);
  if (!mkdir || !redirect || mkdir.file !== redirect.file) return undefined;
  return { title: 'Send its output to a log file', edits: [mkdir, redirect] };
}
