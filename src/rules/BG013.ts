import type { Rule } from './rule.js';

const DAEMONS = new Set([
  'postgres', 'postmaster', 'pg_ctl', 'pg_ctlcluster', 'mysqld', 'mysqld_safe', 'mariadbd', 'mariadbd-safe', 'redis-server',
  'mongod', 'memcached', 'rabbitmq-server', 'elasticsearch', 'opensearch', 'minio', 'zookeeper-server-start.sh',
  'kafka-server-start.sh', 'cassandra', 'etcd', 'consul', 'vault', 'nats-server', 'localstack',
]);

const SERVICE_NAMES = new Set(['postgresql', 'mysql', 'mariadb', 'redis', 'redis-server', 'mongodb', 'mongod', 'memcached', 'rabbitmq-server', 'elasticsearch']);

/** BG013 prefer-services: a well-known service daemon started inside a container job. */
export const BG013: Rule = {
  meta: {
    id: 'BG013',
    name: 'prefer-services',
    defaultSeverity: 'info',
    summary: 'A well-known service daemon (postgres, mysqld, redis-server, …) is started in a job that runs in a container, where `services:` does the job.',
    fixable: false,
  },
  check({ job, report }) {
    if (job.executor !== 'docker' && job.executor !== 'kubernetes') return;
    const a = job.main;
    const say = (start: number, end: number, name: string) =>
      report({
        program: 'main',
        start,
        end,
        message: `\`${name}\` is started by the script; in a container job, \`services:\` runs it beside the job with its own lifecycle, health wait and logs, and GitLab stops it when the job ends.`,
      });
    for (const b of a.facts.backgrounds) {
      const name = b.cmds[0]?.name;
      const base = name?.slice(name.lastIndexOf('/') + 1);
      if (base && DAEMONS.has(base)) say(b.start, b.amp + 1, base);
    }
    for (const { detach } of a.detaches) {
      if (detach.background) continue;
      const svc = detach.names.find((n) => SERVICE_NAMES.has(n) || DAEMONS.has(n));
      if (svc && /start/.test(detach.how)) say(detach.cmd.start, detach.cmd.end, svc);
    }
  },
};
