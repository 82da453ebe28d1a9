/** `ci-bgsafe init`: a commented `.ci-bgsafe.yml` that lists every rule at its default. */
import type { RuleMeta } from '../rules/types.js';
import { docUrl } from '../rules/types.js';
import { CONFIG_SCHEMA_URL, EXECUTORS } from './schema.js';

export interface InitOptions {
  /** Where editors find the schema; default: the schema in the ci-bgsafe repository. */
  schemaUrl?: string;
}

/** The text of a new configuration file; loading it gives the default configuration. */
export function initConfigText(rules: RuleMeta[], opts: InitOptions = {}): string {
  const out: string[] = [
    `# yaml-language-server: $schema=${opts.schemaUrl ?? CONFIG_SCHEMA_URL}`,
    '#',
    '# ci-bgsafe configuration. Every key is optional; the values below are the defaults.',
    '# Rules can be named by id or by name; each is error, warning, info or off.',
    '',
  ];
  if (rules.length === 0) {
    out.push('rules: {}');
  } else {
    out.push('rules:');
    for (const r of rules) {
      out.push(`  # ${r.id} ${r.name}${r.fixable ? ' (fixable with --fix)' : ''}`);
      for (const line of wrap(oneLine(r.summary), 92)) out.push(`  #   ${line}`);
      out.push(`  #   ${docUrl(r.id)}`);
      out.push(`  ${r.id}: ${r.defaultSeverity}`);
    }
  }
  out.push(
    '',
    '# The GitLab Runner executor your jobs run on: one of ' + EXECUTORS.join(', ') + '.',
    '# On shell and instance executors a background process that keeps the job output open hangs',
    '# the job; on docker and kubernetes it is killed when the script ends. Unset: assume shell.',
    '# executor: shell',
    '',
    '# The lowest severity that fails the run (exit code 1): error, warning or info.',
    '# severityThreshold: error',
    '',
    '# Fail the run when there are more warnings than this.',
    '# maxWarnings: 0',
    '',
    '# The services component your project includes: --fix then adds this include to a file whose fixed',
    '# jobs call ci_bgsafe_start, instead of pasting the library into it as a hidden job .ci-bgsafe.',
    '# servicesComponent: $CI_SERVER_FQDN/ci-bgsafe/ci-bgsafe/services@0.1.0',
    '',
    '# What --fix does with a background process that nothing stops: library (start it with',
    '# ci_bgsafe_start) or guard (put !reference [.ci-bgsafe-guard, before_script] first in the job).',
    '# fixStyle: library',
    '',
    '# Files (globs relative to this file) and jobs (globs of job names) not to lint.',
    'ignore:',
    '  files: []',
    '  #  - vendor/**',
    '  jobs: []',
    '  #  - legacy-*',
    '',
  );
  return out.join('\n');
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Splits text into lines of at most `width` characters at spaces (longer words stay whole). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  if (line) lines.push(line);
  return lines;
}
