import type { Rule } from './rule.js';

/** Variables the runner or the shell provides, never script state. */
const ENV = /^(CI|GITLAB|RUNNER|FF|DOCKER|KUBERNETES)_|^(HOME|PATH|PWD|OLDPWD|USER|SHELL|HOSTNAME|TMPDIR|LANG|TERM|IFS|RANDOM|SECONDS|LINENO|UID|EUID|PPID|BASH\w*)$|^[0-9@*#?$_-]$/;

/** BG102 after-script-uses-script-state: after_script reads state that lived only in the script's shell. */
export const BG102: Rule = {
  meta: {
    id: 'BG102',
    name: 'after-script-uses-script-state',
    defaultSeverity: 'error',
    summary: '`after_script` uses `$!`, `%N` job specs, `jobs`, `wait`, or a shell variable or function defined only in `before_script`/`script`.',
    fixable: false,
  },
  check({ job, report }) {
    const main = job.main.facts;
    const after = job.after.facts;
    if (!job.after.program.parts.length) return;
    const say = (start: number, end: number, message: string) => report({ program: 'after', start, end, message });
    const ownVars = new Set(after.assignments.map((x) => x.name));
    const scriptVars = new Map(main.assignments.map((x) => [x.name, x]));
    for (const e of after.expansions) {
      if (e.name === '!') {
        say(e.start, e.end, '`$!` in after_script is empty: after_script runs in a new shell that started no background job. Write the PID to a file in the script, or stop the process from an EXIT trap in the script.');
        continue;
      }
      if (ownVars.has(e.name) || e.name in job.variables || ENV.test(e.name)) continue;
      const def = scriptVars.get(e.name);
      if (!def) continue;
      say(e.start, e.end, `\`$${e.name}\` is set by the script's shell${def.via === 'export' ? ' (export reaches only its children)' : ''}, but after_script runs in a new shell where it is empty: the command acts on nothing. Write the value to a file, or do the work in an EXIT trap in the script.`);
    }
    for (const c of after.cmds) {
      if (c.name === 'jobs' || c.name === 'wait' || c.name === 'fg' || c.name === 'bg' || c.name === 'disown') {
        say(c.start, c.end, `\`${c.name}\` in after_script sees no job: after_script runs in a new shell, not the one that started the background processes.`);
        continue;
      }
      const spec = c.args.findIndex((x) => /^%(\d+|[%+-]|\w+)$/.test(x));
      if ((c.name === 'kill' || c.name === 'wait') && spec >= 0) {
        const n = c.argSpans[spec]!;
        say(n.start, n.end, `Job spec \`${c.args[spec]}\` in after_script refers to nothing: after_script runs in a new shell with no jobs.`);
        continue;
      }
      if (c.name && main.funcs.has(c.name) && !after.funcs.has(c.name)) {
        say(c.start, c.end, `\`${c.name}\` is a function defined in the script, but after_script runs in a new shell where it does not exist: the command fails ("command not found").`);
      }
    }
  },
};
