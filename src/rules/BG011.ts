import { detachStopped, fate, GEN_HINT } from './common.js';
import type { Rule } from './rule.js';

/** BG011 detached-without-cleanup: a command that detaches or daemonizes, and nothing stops what it started. */
export const BG011: Rule = {
  meta: {
    id: 'BG011',
    name: 'detached-without-cleanup',
    defaultSeverity: 'error',
    summary: 'A detaching or daemonizing command (`nohup`, `setsid`, `disown`, `docker run -d`, `ssh -f`, `--daemon`, …) whose result nothing stops.',
    fixable: true,
  },
  check({ job, report }) {
    const a = job.main;
    for (const { detach, at } of a.detaches) {
      if (detachStopped(a, job.after, detach, at)) continue;
      const cmd = detach.cmd;
      const b = detach.background;
      const start = b && detach.how !== 'disown' ? b.start : cmd.start;
      const end = b && detach.how !== 'disown' ? b.amp + 1 : cmd.end;
      const container = /run -d|start|compose/.test(detach.how);
      report({
        program: 'main',
        start,
        end,
        message: container
          ? `\`${detach.how}\` leaves ${detach.how.includes('compose') ? 'containers' : 'a container'} running that nothing stops: on a shell runner ${detach.how.includes('compose') ? 'they' : 'it'} outlive${detach.how.includes('compose') ? '' : 's'} the job and pile up on the host. Stop ${detach.how.includes('compose') ? 'them' : 'it'} from an EXIT trap (\`docker rm -f\` by name or captured id, \`docker compose down\`).`
          : `\`${detach.how}\` detaches the process from the job and nothing stops it: it escapes the runner's cancel kill, ${fate(job.executor).replace(/^on [^,]+ /, '')}. Keep its PID and stop it from an EXIT trap, or ${GEN_HINT}.`,
      });
    }
  },
};
