/**
 * The job guard as a repair, shared by BG001, BG002, BG009 and BG011: the job gets the script item
 * `- !reference [.ci-bgsafe-guard, before_script]` (`.ci-bgsafe-guard-sh` for sh) in front of the
 * first item it runs, so that everything it starts carries the guard's cookie and is stopped when its
 * script ends. The job's own commands stay as they are. The fix says which guard it needs; `--fix`
 * adds that hidden job to the file once (src/fix/library.ts).
 */
import type { JobAnalysis } from '../shell/analysis.js';
import { partAt } from '../shell/program.js';
import type { Fix } from '../types.js';
import { cannotHang, guardStart } from './common.js';
import { itemBefore, type Sources } from './edits.js';

/** The hidden job whose `before_script` holds the guard of each shell (the same names as in the guard component). */
export const GUARD_JOBS = { bash: '.ci-bgsafe-guard', sh: '.ci-bgsafe-guard-sh' } as const;

const cache = new WeakMap<JobAnalysis, Fix | null>();

function jobGuardFix(sources: Sources, job: JobAnalysis): Fix | undefined {
  // In a container the script's end ends everything it started: the guard is for shell and SSH runners.
  if (job.shell === 'powershell' || cannotHang(job.executor) || guardStart(job.main) !== undefined) return undefined;
  // The job may run a guard the linter could not read.
  if (job.job.unread?.some((u) => u.includes('.ci-bgsafe-guard'))) return undefined;
  const first = partAt(job.main.program, 0)?.item;
  const shell = job.shell === 'ash' ? 'sh' : 'bash';
  const edit = first && itemBefore(sources, first, `!reference [${GUARD_JOBS[shell]}, before_script]`);
  if (!edit) return undefined;
  return {
    edits: [edit],
    guard: shell,
    title: 'Run the job guard first: it stops whatever the job leaves running',
  };
}

/**
 * The guard's repair of a finding in `job` (the same for all its findings), or undefined where the job
 * runs the guard already, may run one that was not read, or has no first script item to put it before.
 */
export function guardFix(sources: Sources, job: JobAnalysis): Fix | undefined {
  let fix = cache.get(job);
  if (fix === undefined) cache.set(job, (fix = jobGuardFix(sources, job) ?? null));
  return fix ?? undefined;
}
