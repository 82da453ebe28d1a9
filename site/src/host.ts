/**
 * The page's host for the core (src/host.ts): no files (an `include: local` of the pipeline is reported
 * as not read), the parser's two WebAssembly files fetched from beside the page's script, where the site
 * build copies them, and the generator's templates as part of the script.
 */
import type { Host } from '../../src/host.js';
import { NO_FILES } from '../../src/host.js';
import { version } from '../../package.json';
import guardRuntime from '../../templates/gen/guard-runtime.sh.ejs';
import guard from '../../templates/gen/guard.sh.ejs';
import job from '../../templates/gen/job.ejs';
import library from '../../templates/gen/library.sh.ejs';
import proc from '../../templates/gen/proc.sh.ejs';
import reference from '../../templates/gen/reference.ejs';
import runtime from '../../templates/gen/runtime.sh.ejs';
import script from '../../templates/gen/script.sh.ejs';
import self from '../../templates/gen/self.sh.ejs';
import start from '../../templates/gen/start.sh.ejs';
import sudoers from '../../templates/gen/sudoers.ejs';

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

const beside = (name: string): string => new URL(name, import.meta.url).href;

async function fetchBytes(url: string): Promise<Uint8Array<ArrayBuffer>> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`cannot load ${url}: ${r.status} ${r.statusText}`);
  return new Uint8Array(await r.arrayBuffer());
}

export const pageHost: Host = {
  ...NO_FILES,
  parserFiles: () => ({ locateFile: beside, grammar: fetchBytes(beside('tree-sitter-bash.wasm')) }),
  template(name) {
    const t = TEMPLATES[name];
    if (t === undefined) throw new Error(`no template ${name}`);
    return t;
  },
  version: () => version,
};
