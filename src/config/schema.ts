/** The JSON Schema of `.ci-bgsafe.yml`, generated from the rule list so schema and rules cannot drift. */
import type { RuleMeta } from '../rules/types.js';

export const CONFIG_SCHEMA_URL = 'https://gitlab.com/ci-bgsafe/ci-bgsafe/-/raw/main/schemas/config.schema.json';
/** The schema inside an installed package, for `yaml-language-server` without network. */
export const CONFIG_SCHEMA_LOCAL = './node_modules/ci-bgsafe/schemas/config.schema.json';

export const SETTINGS = ['error', 'warning', 'info', 'off'] as const;
export const SEVERITIES = ['error', 'warning', 'info'] as const;
export const EXECUTORS = ['shell', 'docker', 'kubernetes', 'instance'] as const;

/** The configuration schema (JSON Schema draft-07); every rule is a key by id and by name. */
export function configSchema(rules: RuleMeta[]): object {
  const ruleProps: Record<string, object> = {};
  for (const r of rules) {
    const setting = () => ({
      description: `${r.id} / ${r.name}: ${r.summary} Default: ${r.defaultSeverity}.`,
      type: 'string',
      enum: [...SETTINGS],
      default: r.defaultSeverity,
    });
    ruleProps[r.id] = setting();
    ruleProps[r.name] = setting();
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: CONFIG_SCHEMA_URL,
    title: 'ci-bgsafe configuration (.ci-bgsafe.yml)',
    description:
      'Generated from the rule registry by test/config/schema-sync.test.ts (UPDATE_GOLDEN=1). Do not edit by hand.',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { description: 'The URL of this schema, for editors.', type: 'string' },
      rules: {
        description: 'Severity per rule, by id or name: error, warning, info, or off to disable it.',
        type: 'object',
        additionalProperties: false,
        properties: ruleProps,
      },
      executor: {
        description:
          'The GitLab Runner executor the jobs run on; it decides whether a background process hangs the job (shell, instance) or is killed with it (docker, kubernetes).',
        type: 'string',
        enum: [...EXECUTORS],
      },
      severityThreshold: {
        description: 'The lowest severity that makes ci-bgsafe exit with code 1.',
        type: 'string',
        enum: [...SEVERITIES],
      },
      maxWarnings: {
        description: 'Exit with code 1 when there are more warnings than this.',
        type: 'integer',
        minimum: 0,
      },
      map: {
        description:
          'Local checkouts of other projects, for include: project and include: component: GitLab project path -> folder, relative to this file (my-group/ci-templates: ../ci-templates). Nothing is fetched; a project not mapped is a note.',
        type: 'object',
        propertyNames: { pattern: '^[^/\\s][^\\s]*$' },
        additionalProperties: { type: 'string', minLength: 1 },
      },
      servicesComponent: {
        description:
          'The address of the services component the project includes, as written after `component:` (e.g. $CI_SERVER_FQDN/ci-bgsafe/ci-bgsafe/services@0.1.0). When set, `--fix` adds that include to a file whose fixed jobs need the library, instead of the library itself as a hidden job `.ci-bgsafe`.',
        type: 'string',
        minLength: 1,
      },
      fixStyle: {
        description:
          'What `--fix` does with a background process that nothing stops (BG001, BG002, BG009, BG011): `library` (the default) starts it with `ci_bgsafe_start` after `!reference [.ci-bgsafe, before_script]`; `guard` puts `!reference [.ci-bgsafe-guard, before_script]` first in the job instead (the job guard, which stops whatever the job leaves running), and adds the hidden job `.ci-bgsafe-guard` to the file once. What the guard cannot stop (sudo, containers, system services) keeps the `library` fix.',
        enum: ['library', 'guard'],
      },
      ignore: {
        description: 'Files and jobs not to lint (picomatch globs).',
        type: 'object',
        additionalProperties: false,
        properties: {
          files: {
            description: 'Globs of file paths, relative to the directory of this file.',
            type: 'array',
            items: { type: 'string', minLength: 1 },
          },
          jobs: {
            description: 'Globs of job names.',
            type: 'array',
            items: { type: 'string', minLength: 1 },
          },
        },
      },
    },
  };
}
