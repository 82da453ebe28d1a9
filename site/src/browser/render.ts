/** The page's counterpart of src/gen/render.ts: the generator's templates are part of the page's script. */
import ejs from 'ejs';
import pkg from '../../../package.json';
import guardRuntime from '../../../templates/gen/guard-runtime.sh.ejs';
import guard from '../../../templates/gen/guard.sh.ejs';
import job from '../../../templates/gen/job.ejs';
import library from '../../../templates/gen/library.sh.ejs';
import proc from '../../../templates/gen/proc.sh.ejs';
import reference from '../../../templates/gen/reference.ejs';
import runtime from '../../../templates/gen/runtime.sh.ejs';
import script from '../../../templates/gen/script.sh.ejs';
import self from '../../../templates/gen/self.sh.ejs';
import start from '../../../templates/gen/start.sh.ejs';
import sudoers from '../../../templates/gen/sudoers.ejs';

const TEMPLATES: Record<string, string> = {
  'guard-runtime.sh.ejs': guardRuntime,
  'guard.sh.ejs': guard,
  'job.ejs': job,
  'library.sh.ejs': library,
  'proc.sh.ejs': proc,
  'reference.ejs': reference,
  'runtime.sh.ejs': runtime,
  'script.sh.ejs': script,
  'self.sh.ejs': self,
  'start.sh.ejs': start,
  'sudoers.ejs': sudoers,
};

export function packageVersion(): string {
  return (pkg as { version: string }).version;
}

function template(name: string): string {
  const t = TEMPLATES[name.replace(/^.*\//, '')];
  if (t === undefined) throw new Error(`no template ${name}`);
  return t;
}

export function renderTemplate(name: string, data: Record<string, unknown>): string {
  return ejs.render(template(name), data, {
    filename: name,
    async: false,
    cache: false,
    includer: (original: string) => ({ template: template(original) }),
  });
}
