import { cannotHang, detachStopped, dockerDaemonIsJobService, GEN_HINT, GUARDED, guardFollows, guardStops } from './common.js';
import { guardFix } from './guard-fix.js';
import { libraryFix, LIBRARY_SUGGESTION } from './library-fix.js';
import type { Rule } from './rule.js';

/** BG011 detached-without-cleanup: a command that detaches or daemonizes, and nothing stops what it started. */
export const BG011: Rule = {
  meta: {
    id: 'BG011',
    name: 'detached-without-cleanup',
    defaultSeverity: 'error',
    summary: 'A detaching or daemonizing command (`nohup`, `setsid`, `disown`, `docker run -d`, `ssh -f`, `ssh-agent`, `--daemon`, …) whose result nothing stops.',
    fixable: true,
  },
  check({ job, sources, report }) {
    const a = job.main;
    for (const { detach, at } of a.detaches) {
      if (detachStopped(a, job.after, detach, at)) continue;
      const cmd = detach.cmd;
      // In a container the agent dies with it and holds no output: only shell and SSH runners keep it.
      if (detach.how === 'ssh-agent' && cannotHang(job.executor)) continue;
      const b = detach.background;
      const start = b && detach.how !== 'disown' ? b.start : cmd.start;
      const end = b && detach.how !== 'disown' ? b.amp + 1 : cmd.end;
      if (guardStops(a, at, b ? [cmd, ...b.cmds] : [cmd], detach.how)) {
        // Nothing leaks: no fix, the job is left as it is (docs/rules/BG011.md).
        report({
          program: 'main',
          start,
          end,
          message: `\`${detach.how}\` ${detach.how === 'ssh-agent' ? 'forks the agent into the background' : 'detaches the process from the job'} and nothing in the job stops it: ${GUARDED}. Stop it yourself (${detach.how === 'ssh-agent' ? "`trap 'ssh-agent -k' EXIT`" : `keep its PID and stop it from an EXIT trap, or ${GEN_HINT}`}) to keep it out of that list.`,
          severity: 'info',
          suggestion: detach.how === 'ssh-agent' ? undefined : LIBRARY_SUGGESTION,
        });
        continue;
      }
      if (detach.how === 'ssh-agent') {
        report({
          program: 'main',
          start: cmd.start,
          end: cmd.end,
          message: `\`ssh-agent\` forks the agent into the background and nothing stops it: it outlives the job, one more agent on the runner for every job${job.executor === 'instance' ? ', and on an SSH executor it can keep the session open' : ''}. Stop it when the job ends with \`trap 'ssh-agent -k' EXIT\` right after starting it, or run the commands that need it under \`ssh-agent sh -c '…'\`.`,
        });
        continue;
      }
      const container = /^(docker|podman|nerdctl)\b/.test(detach.how);
      const compose = detach.how.includes('compose');
      // Containers on the job's own docker:dind service are removed with it (facts section 5).
      if ((container || compose) && dockerDaemonIsJobService(job, cmd)) continue;
      report({
        program: 'main',
        start,
        end,
        message:
          /-c '.*… &'$/.test(detach.how)
            ? `\`${detach.how}\` leaves \`${detach.names[0] ?? 'the process'}\` running after the shell that started it has exited, and nothing stops it: ${cannotHang(job.executor) ? 'it runs on until the container is removed' : 'the job hangs while it holds the job\'s output, or it outlives the job and piles up on the runner'}. Start it in the job's own shell (\`cmd > log 2>&1 &\`), keep its PID and stop it from an EXIT trap, or ${GEN_HINT}.`
            : container || compose
            ? `\`${detach.how}\` leaves ${compose ? 'containers' : 'a container'} running that nothing stops: ${compose ? 'they outlive' : 'it outlives'} the job and ${compose ? 'pile' : 'piles'} up on the Docker host, holding ports and names the next job needs. Stop ${compose ? 'them' : 'it'} from an EXIT trap (\`docker rm -f\` by name or captured id, \`docker compose down\`).`
            : detach.inGroup
              ? `\`${detach.how}\` only shields the process from SIGHUP, and nothing stops it: ${cannotHang(job.executor) ? 'it runs on until the container is removed' : 'the job hangs while it holds the job\'s output, or it outlives the job and piles up on the runner'}. Keep its PID and stop it from an EXIT trap, or ${GEN_HINT}.`
              : `\`${detach.how}\` detaches the process from the job and nothing stops it: the runner's cancel kill does not reach it, and ${cannotHang(job.executor) ? 'it runs on until the container is removed' : 'it outlives the job and piles up on the runner'}. Keep its PID and stop it from an EXIT trap, or ${GEN_HINT}.`,
        severity: cannotHang(job.executor) && !container && !compose ? 'warning' : undefined,
        fix: libraryFix(sources, job, start),
        alternative: guardFollows(b ? [cmd, ...b.cmds] : [cmd], detach.how) ? guardFix(sources, job) : undefined,
        suggestion: LIBRARY_SUGGESTION,
      });
    }
  },
};
