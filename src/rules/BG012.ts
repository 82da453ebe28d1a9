import type { Rule } from './rule.js';
import type { Cmd } from '../shell/facts/index.js';
import { label } from './common.js';

/** BG012 fixed-sleep-readiness: `sleep N` right after starting a service, as a readiness wait. */
export const BG012: Rule = {
  meta: {
    id: 'BG012',
    name: 'fixed-sleep-readiness',
    defaultSeverity: 'info',
    summary: 'A fixed `sleep N` right after starting a background service, used as a readiness wait.',
    fixable: false,
  },
  check({ job, report }) {
    const a = job.main;
    const fixedSleep = (c: Cmd | undefined): c is Cmd =>
      !!c && c.name === 'sleep' && c.args.length === 1 && /^\d+(\.\d+)?[smh]?$/.test(c.args[0]!);
    // A command that starts a service detached (`docker compose up -d`, `docker run -d`, `--daemon`, `--fork`, …).
    for (const { detach } of a.detaches) {
      const c = detach.cmd;
      if (detach.background || detach.how === 'ssh-agent' || detach.how === 'disown') continue;
      const next = a.facts.cmds.find((x) => x.start >= c.end && x.fn === c.fn && !x.sub);
      if (!fixedSleep(next) || next.loop !== c.loop) continue;
      if (a.facts.backgrounds.some((o) => o.start <= next.start && next.end <= o.amp)) continue;
      report({
        program: 'main',
        start: next.start,
        end: next.end,
        message: `\`${next.node.text}\` waits a fixed time for what \`${detach.how}\` started to be ready: too short on a busy runner (the job fails at random), too long everywhere else. Poll a readiness probe with a deadline instead (\`docker compose up --wait\`, a health check, or \`ci-bgsafe gen --ready NAME=tcp:HOST:PORT\`).`,
      });
    }
    for (const b of a.facts.backgrounds) {
      // The first command that runs after the `&`, in the same function or at the top.
      const next = a.facts.cmds.find((c) => c.start > b.amp && c.fn === b.fn && !c.sub);
      // A sleep inside a polling loop is a bounded wait, not a fixed one.
      if (next && next.loop !== b.loop) continue;
      if (!next || next.name !== 'sleep' || next.args.length !== 1 || !/^\d+(\.\d+)?[smh]?$/.test(next.args[0]!)) continue;
      if (b.node.type === 'while_statement' || b.node.type === 'for_statement') continue;
      // A sleep started in the background does not wait.
      if (a.facts.backgrounds.some((o) => o.node.startIndex <= next.start && next.end <= o.amp)) continue;
      report({
        program: 'main',
        start: next.start,
        end: next.end,
        message: `\`${next.node.text}\` waits a fixed time for ${label(b)} to be ready: too short on a busy runner (the job fails at random), too long everywhere else. Poll a readiness probe with a deadline instead (\`ci-bgsafe gen --ready NAME=tcp:HOST:PORT\`).`,
      });
    }
  },
};
