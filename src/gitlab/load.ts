/**
 * Builds the resolved pipeline model of a `.gitlab-ci.yml`: includes, `extends`, `!reference`,
 * `default:`/`inherit:`, and each job's script items with exact source positions.
 */
import path from 'pathe';
import picomatch from 'picomatch';
import { repositoryRoot } from '../files.js';
import { host } from '../host.js';
import type { Diagnostic, Job, Pipeline, ScriptItem, Section } from '../types.js';
import { InputError } from '../types.js';
import { interpolateInputs } from './inputs.js';
import { mapScalarToken } from './scalar-map.js';
import { InterpolatedItem, YamlScriptItem } from './script-item.js';
import { SourceFile, readSource, textSource } from './source.js';
import type { ConvertState, ParsedFile, V, VEntry, VMap, VRef, VScalar } from './value.js';
import { isNullV, parseFile } from './value.js';

export interface LoadOptions {
  /** Text to use instead of reading `file` (standard input is passed as file "-" or a display name). */
  text?: string;
  /** Repository root for `include: local` paths (default: nearest ancestor of the file containing `.git`, else the file's folder). */
  root?: string;
  /** Texts of included files by absolute path, used instead of what is on disk (an editor's unsaved buffers). */
  texts?: ReadonlyMap<string, string>;
  /**
   * Local checkouts of other projects: GitLab project path (`my-group/ci-templates`) -> absolute folder.
   * `include: project` and `include: component` of a mapped project are read from there (never fetched).
   */
  map?: Readonly<Record<string, string>>;
}

/** Top-level keywords (GitLab's root entry). */
export const GLOBAL_KEYWORDS: ReadonlySet<string> = new Set([
  'default', 'include', 'stages', 'variables', 'workflow', 'image', 'services', 'cache',
  'before_script', 'after_script',
]);

/** Keywords GitLab takes for a job's name when they hold `script`, `run` or `trigger` (its root entry does not reserve them). */
const UNRESERVED = new Set(['default', 'workflow', 'spec', 'types']);

/**
 * Whether a top-level key is a job, as GitLab's root entry decides: the reserved keywords never are;
 * `default:`, `workflow:`, `spec:` (a component's is a document of its own) and `types:` (a keyword of
 * older GitLab versions) are when they hold `script`, `run` or `trigger`; any other name is.
 */
export function isJobKey(name: string, value: V): boolean {
  if (!GLOBAL_KEYWORDS.has(name) && !UNRESERVED.has(name)) return true;
  if (!UNRESERVED.has(name)) return false;
  return value.kind === 'map' && ['script', 'run', 'trigger'].some((k) => value.entries.has(k));
}

/** The keywords a job may hold (GitLab CI/CD YAML reference); anything else makes GitLab reject the pipeline. */
export const JOB_KEYWORDS: ReadonlySet<string> = new Set([
  'after_script', 'allow_failure', 'artifacts', 'before_script', 'cache', 'coverage', 'dast_configuration',
  'dependencies', 'environment', 'except', 'extends', 'hooks', 'id_tokens', 'identity', 'image', 'inherit',
  'interruptible', 'manual_confirmation', 'needs', 'only', 'pages', 'parallel', 'publish', 'release',
  'resource_group', 'retry', 'rules', 'run', 'script', 'secrets', 'services', 'stage', 'start_in', 'tags',
  'timeout', 'trigger', 'type', 'variables', 'when',
]);

/** Keys `default:` passes on to jobs, as far as this model reads them. */
const DEFAULT_KEYS = ['before_script', 'after_script', 'image', 'services', 'tags'] as const;

export const MAX_EXTENDS_DEPTH = 11;
export const MAX_REFERENCE_DEPTH = 10;
export const MAX_INCLUDE_DEPTH = 100;

const SECTIONS: Section[] = ['before_script', 'script', 'after_script'];

interface Ctx {
  state: ConvertState;
  sources: Map<string, string>;
  root: string;
  entryAbs: string | null;
  entryDisplay: string;
  texts: ReadonlyMap<string, string> | undefined;
  map: Readonly<Record<string, string>>;
  parsed: Map<string, ParsedFile>;
  merged: Map<string, VMap>;
  diagnostics: Diagnostic[];
  diagKeys: Set<string>;
}

function note(ctx: Ctx, d: Diagnostic): void {
  const k = `${d.code}|${d.file}|${d.line}|${d.column}`;
  if (ctx.diagKeys.has(k)) return;
  ctx.diagKeys.add(k);
  ctx.diagnostics.push(d);
}

/** Synchronous (files are read through the host, src/host.ts). Throws InputError for input that cannot be used at all; everything non-fatal goes to pipeline.diagnostics. */
export function loadPipeline(file: string, options: LoadOptions = {}): Pipeline {
  const fromText = options.text !== undefined;
  if (!fromText && file === '-') {
    throw new InputError({ severity: 'error', code: 'file-not-found', message: 'no text given for standard input', file, line: 1, column: 1 });
  }
  const entryAbs = fromText ? null : path.resolve(file);
  // Text given for an absolute path (a candidate fix of that file) resolves includes from where the file is.
  const located = entryAbs ?? (fromText && path.isAbsolute(file) ? file : null);
  const baseDir = located ? path.dirname(located) : host().cwd();
  const root = path.resolve(options.root ?? (located ? repositoryRoot(baseDir) : baseDir));
  const state: ConvertState = { aliasExpansions: 0, diagnostics: [] };
  const ctx: Ctx = {
    state, sources: new Map(), root, entryAbs, entryDisplay: file, texts: options.texts, map: options.map ?? {},
    parsed: new Map(), merged: new Map(), diagnostics: [], diagKeys: new Set(),
  };
  const src = fromText ? textSource(file, options.text!) : readSource(entryAbs!, file);
  ctx.sources.set(file, src.text);
  const parsed = parseFile(src, state);
  if (entryAbs) ctx.parsed.set(entryAbs, parsed);
  const { top: body, isComponent, header } = fileTop(parsed);
  // A component (or a file with a `spec:` header) linted on its own is read with its inputs' defaults.
  const top = body && header ? interpolateInputs(body, header, undefined, header, (d) => note(ctx, d)) : body;
  const merged = top ? withIncludes(ctx, top, entryAbs ?? '<text>', [entryAbs ?? '<text>'], root) : null;
  const { jobs, templates } = merged ? buildJobs(ctx, merged) : { jobs: [], templates: [] };
  for (const d of state.diagnostics) note(ctx, d);
  ctx.diagnostics.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : 0));
  return { file, sources: ctx.sources, jobs, templates, diagnostics: ctx.diagnostics, isComponent };
}

/** The map of a file that holds the jobs: the only document, or the one after a `spec:` header. */
function fileTop(parsed: ParsedFile): { top: VMap | null; isComponent: boolean; header: V | null } {
  const { src } = parsed;
  let docs = parsed.docs;
  const isSpecHeader = (v: V | null): boolean => !!v && v.kind === 'map' && v.entries.has('spec');
  let isComponent = false;
  let header: V | null = null;
  let body: { value: V | null; offset: number } | undefined;
  if (docs.length >= 2 && isSpecHeader(docs[0]!.value)) {
    if (docs.length > 2 && docs.slice(2).some((d) => d.value !== null)) {
      throw src.error('multiple-documents', 'a CI/CD component has two YAML documents (a `spec:` header, `---`, the jobs); this file has more', docs[2]!.offset);
    }
    isComponent = true;
    header = docs[0]!.value;
    body = docs[1];
  } else {
    docs = docs.filter((d) => d.value !== null);
    if (docs.length > 1) {
      throw src.error('multiple-documents', 'several YAML documents in one file, but the first is not a CI/CD component `spec:` header', docs[1]!.offset);
    }
    body = docs[0];
  }
  const value = body?.value ?? null;
  if (value === null || (value.kind === 'scalar' && value.value === null)) return { top: null, isComponent, header };
  if (value.kind !== 'map') throw src.error('not-a-map', 'the top level of a CI configuration must be a map of jobs and keywords', value.offset);
  return { top: value, isComponent, header };
}

// ---------------------------------------------------------------------------------------------
// include: local

function displayOf(ctx: Ctx, abs: string): string {
  if (ctx.entryAbs) {
    const rel = path.relative(path.dirname(ctx.entryAbs), abs);
    return path.isAbsolute(ctx.entryDisplay) ? abs : path.join(path.dirname(ctx.entryDisplay), rel);
  }
  return path.relative(host().cwd(), abs) || abs;
}

/** A file as an `include: local` names it: relative to the repository root (never an absolute temp path). */
function includeName(ctx: Ctx, abs: string): string {
  const rel = path.relative(ctx.root, abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : displayOf(ctx, abs);
}

function str(v: V | undefined): string | undefined {
  if (!v || v.kind !== 'scalar' || v.value === null || typeof v.value === 'object') return undefined;
  return String(v.value);
}

function withIncludes(ctx: Ctx, top: VMap, abs: string, stack: string[], root: string): VMap {
  const cached = ctx.merged.get(abs);
  if (cached) return cached;
  const entries = new Map<string, VEntry>();
  const inc = top.entries.get('include');
  if (inc && !isNullV(inc.value)) {
    for (const child of includedFiles(ctx, inc.value, root)) {
      // An included file that cannot be read is an error of its own; the other files and jobs are still read.
      try {
        if (stack.includes(child.abs)) {
          const chain = [...stack.slice(stack.indexOf(child.abs)), child.abs].map((f) => includeName(ctx, f)).join(' -> ');
          throw child.at.src.error('include-cycle', `include cycle: ${chain}`, child.at.offset);
        }
        if (stack.length > MAX_INCLUDE_DEPTH) throw child.at.src.error('include-depth', `includes nested more than ${MAX_INCLUDE_DEPTH} levels`, child.at.offset);
        // a file given inputs is read again for each include: its text is the same, its values are not
        let parsed = child.inputs ? undefined : ctx.parsed.get(child.abs);
        if (!parsed) {
          const given = ctx.texts?.get(child.abs);
          const src = given !== undefined ? textSource(displayOf(ctx, child.abs), given) : readSource(child.abs, displayOf(ctx, child.abs));
          ctx.sources.set(src.file, src.text);
          parsed = parseFile(src, ctx.state);
          if (!child.inputs) ctx.parsed.set(child.abs, parsed);
        }
        const { top: childTop, header } = fileTop(parsed);
        let body = childTop;
        if (body && (header || child.inputs)) body = interpolateInputs(body, header, child.inputs, child.at, (d) => note(ctx, d));
        const key = child.inputs ? `${child.abs}\0${child.at.src.file}:${child.at.offset}` : child.abs;
        if (body) mergeInto(entries, withIncludes(ctx, body, key, [...stack, child.abs], child.root));
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        note(ctx, e.diagnostic);
      }
    }
  }
  mergeInto(entries, top, 'include');
  const result: VMap = { kind: 'map', entries, src: top.src, offset: top.offset };
  ctx.merged.set(abs, result);
  return result;
}

interface IncludedFile {
  abs: string;
  at: V;
  /** The repository root its own `include: local` paths start from. */
  root: string;
  /** The `inputs:` the include gives it (a component, or a file with a `spec:` header). */
  inputs?: VMap;
}

function includedFiles(ctx: Ctx, value: V, root: string): IncludedFile[] {
  const out: IncludedFile[] = [];
  const specs = value.kind === 'seq' ? value.items : [value];
  for (const spec of specs) {
    if (spec.kind === 'scalar') {
      const s = str(spec);
      if (s === undefined) continue;
      if (/^https?:\/\//i.test(s)) notResolved(ctx, spec, `include of remote file ${s}`);
      else out.push(...localFiles(ctx, spec, s, root));
    } else if (spec.kind === 'map') {
      const local = spec.entries.get('local');
      if (local) {
        const s = str(local.value);
        if (s !== undefined) out.push(...localFiles(ctx, local.value, s, root).map((f) => withInputs(f, spec)));
        continue;
      }
      const project = spec.entries.get('project');
      const component = spec.entries.get('component');
      const mapped = project ? projectFiles(ctx, spec, project.value) : component ? componentFile(ctx, component.value) : undefined;
      if (mapped) {
        out.push(...mapped.map((f) => withInputs(f, spec)));
        continue;
      }
      const kind = ['project', 'remote', 'template', 'component'].find((k) => spec.entries.has(k));
      if (kind) {
        const what = str(spec.entries.get(kind)!.value) ?? '';
        const files = spec.entries.get('file');
        const fileNote = files ? ` (file ${files.value.kind === 'seq' ? files.value.items.map(str).join(', ') : str(files.value)})` : '';
        notResolved(ctx, spec.entries.get(kind)!.value, `include: ${kind} ${what}${fileNote}`, kind === 'project' || kind === 'component' ? NOT_MAPPED : undefined);
      } else {
        note(ctx, spec.src.diagnostic('warning', 'include-invalid', 'an include needs one of local, project, remote, template, component', spec.offset));
      }
    } else {
      notResolved(ctx, spec, 'include given through !reference or a nested list');
    }
  }
  return out;
}

function notResolved(ctx: Ctx, at: V, what: string, why = 'it needs a GitLab instance'): void {
  note(
    ctx,
    at.src.diagnostic(
      'info', 'include-not-resolved',
      `${what} is not read (${why}): its jobs and templates are not checked`,
      at.offset,
    ),
  );
}

const NOT_MAPPED = 'it needs a GitLab instance; map the project to a local checkout with `map:` in .ci-bgsafe.yml or --map-project';

function withInputs(f: IncludedFile, spec: VMap): IncludedFile {
  const inputs = spec.entries.get('inputs')?.value;
  return inputs?.kind === 'map' ? { ...f, inputs } : f;
}

/** The files of an `include: project` whose project is mapped to a local folder; undefined when it is not mapped. */
function projectFiles(ctx: Ctx, spec: VMap, at: V): IncludedFile[] | undefined {
  const project = str(at)?.replace(/^\/+|\/+$/g, '');
  const dir = project !== undefined ? ctx.map[project] : undefined;
  if (dir === undefined) return undefined;
  const files = spec.entries.get('file')?.value;
  const list = !files ? [] : files.kind === 'seq' ? files.items : [files];
  const out: IncludedFile[] = [];
  for (const f of list) {
    const name = str(f);
    if (name === undefined) continue;
    out.push(...localFiles(ctx, f, name, dir));
  }
  return out;
}

/**
 * The file of an `include: component` (`$CI_SERVER_FQDN/group/project/name@1.0`) whose project is
 * mapped to a local folder: `templates/name.yml` or `templates/name/template.yml` there.
 */
function componentFile(ctx: Ctx, at: V): IncludedFile[] | undefined {
  const ref = str(at);
  const m = ref ? /^[^/]+\/(.+)\/([^/@]+)@[^/]+$/.exec(ref) : null;
  const dir = m ? ctx.map[m[1]!] : undefined;
  if (!m || dir === undefined) return undefined;
  const candidates = [path.join(dir, 'templates', `${m[2]}.yml`), path.join(dir, 'templates', m[2]!, 'template.yml')];
  const abs = candidates.find((c) => {
    try {
      return host().stat(c)?.isFile ?? false;
    } catch {
      return false;
    }
  });
  if (!abs) {
    note(ctx, at.src.diagnostic('info', 'include-not-found', `component ${ref} is mapped to ${dir}, which has neither templates/${m[2]}.yml nor templates/${m[2]}/template.yml: its jobs and templates are not checked`, at.offset));
    return [];
  }
  return [{ abs, at, root: dir }];
}

/** Whether a path is a glob pattern (as tinyglobby's `isDynamicPattern` decides). */
function isPattern(p: string): boolean {
  const scan = picomatch.scan(p);
  return scan.isGlob || scan.negated;
}

function localFiles(ctx: Ctx, at: V, p: string, root: string): IncludedFile[] {
  if (p.includes('$')) {
    notResolved(ctx, at, `include: local ${p}`, 'its path uses a CI/CD variable');
    return [];
  }
  const rel = p.replace(/^\/+/, '');
  if (isPattern(rel)) {
    const found = host().glob([rel], { cwd: root }).map((f) => path.resolve(f)).sort();
    if (found.length === 0) {
      note(ctx, at.src.diagnostic('warning', 'include-no-match', `include: local ${p} matches no file under ${root}`, at.offset));
    }
    return found.map((abs) => ({ abs, at, root }));
  }
  const abs = path.resolve(root, rel);
  let isFile = ctx.texts?.has(abs) ?? false;
  try {
    isFile ||= host().stat(abs)?.isFile ?? false;
  } catch {
    // not there: isFile stays as the given texts say
  }
  if (!isFile) {
    note(ctx, at.src.diagnostic('info', 'include-not-found', `included file ${p} is not in the files read (looked for ${abs}): its jobs and templates are not checked`, at.offset));
    return [];
  }
  return [{ abs, at, root }];
}

// ---------------------------------------------------------------------------------------------
// merging, extends, !reference

/** GitLab's deep merge: hashes merge key by key, anything else is replaced, `null` removes the key. */
export function deepMerge(base: VMap, over: VMap): VMap {
  const entries = new Map(base.entries);
  mergeInto(entries, over);
  return { kind: 'map', entries, src: over.src, offset: over.offset };
}

/**
 * deepMerge of `over` (but its key `skip`) into `entries`, a map of the caller's own. Merging files or
 * parents one after another into one map copies nothing merged before: a copy per merge made merging
 * 50 included files of 100 jobs each quadratic.
 */
function mergeInto(entries: Map<string, VEntry>, over: VMap, skip?: string): void {
  for (const [k, e] of over.entries) {
    if (k === skip) continue;
    const old = entries.get(k);
    if (isNullV(e.value)) entries.delete(k);
    else if (old && old.value.kind === 'map' && e.value.kind === 'map') entries.set(k, { ...e, value: deepMerge(old.value, e.value) });
    else entries.set(k, e);
  }
}

/**
 * Resolves `extends` and `!reference` with what was read. A name defined in no file read (it may come
 * from an include that was not read) is a note, never a stop: the job is resolved without it, and
 * what it could not read is kept (`unreadOf`), so that a finding whose verdict depends on it can say so.
 * Cycles and too deep nesting are InputErrors of the one job that meets them.
 */
class Resolver {
  readonly #extended = new Map<string, VMap>();
  /** What the resolution of a name (its extends chain) or a reference could not read. */
  readonly #unread = new Map<string | VRef, readonly string[]>();
  readonly #refs = new Map<VRef, V>();
  readonly #refStack: VRef[] = [];
  /** What the resolution under way could not read (see `collect`). */
  #collecting: Set<string> | null = null;
  /** Top-level names reached through `extends` or `!reference` (see `templates`). */
  readonly reached = new Set<string>();
  constructor(
    readonly top: VMap,
    readonly onNote: (d: Diagnostic) => void,
  ) {}

  /** Runs `f`, and returns with its result what the resolutions it made could not read. */
  collect<T>(f: () => T): { value: T; unread: string[] } {
    const outer = this.#collecting;
    const mine = new Set<string>();
    this.#collecting = mine;
    try {
      const value = f();
      return { value, unread: [...mine] };
    } finally {
      this.#collecting = outer;
      if (outer) for (const u of mine) outer.add(u);
    }
  }

  #unreadAdd(list: readonly string[] | undefined): void {
    if (list && this.#collecting) for (const u of list) this.#collecting.add(u);
  }

  /** The job's map with `extends` applied. */
  extended(name: string, chain: string[] = [name]): VMap {
    const done = this.#extended.get(name);
    if (done) {
      this.#unreadAdd(this.#unread.get(name));
      return done;
    }
    const entry = this.top.entries.get(name)!;
    const own = entry.value as VMap;
    const ext = own.entries.get('extends');
    let result: VMap;
    const { unread } = this.collect(() => {
      if (!ext || isNullV(ext.value)) {
        result = own;
        return;
      }
      const parents = ext.value.kind === 'seq' ? ext.value.items : [ext.value];
      result = { kind: 'map', entries: new Map(), src: own.src, offset: own.offset };
      for (const p of parents) {
        const parent = str(p);
        if (parent === undefined) throw p.src.error('extends-invalid', `job ${name}: extends needs job names`, p.offset);
        const target = this.top.entries.get(parent);
        if (!target || target.value.kind !== 'map') {
          this.onNote(p.src.diagnostic(
            'info', 'extends-not-found',
            `${name} extends ${parent}, which is defined in no file read (an include that was not read may define it): ${name} is checked without it`,
            p.offset,
          ));
          this.#collecting!.add(`extends ${parent}`);
          continue;
        }
        if (chain.includes(parent)) {
          throw p.src.error('extends-cycle', `circular extends: ${[...chain.slice(chain.indexOf(parent)), parent].join(' -> ')}`, p.offset);
        }
        if (chain.length >= MAX_EXTENDS_DEPTH) {
          throw p.src.error('extends-depth', `extends nested more than ${MAX_EXTENDS_DEPTH} levels: ${[...chain, parent].join(' -> ')}`, p.offset);
        }
        this.reached.add(parent);
        mergeInto(result.entries, this.extended(parent, [...chain, parent]));
      }
      mergeInto(result.entries, own, 'extends');
    });
    this.#extended.set(name, result!);
    if (unread.length) this.#unread.set(name, unread);
    return result!;
  }

  /** Top-level value after `extends` (for `!reference` lookups). */
  topValue(name: string): V | undefined {
    const e = this.top.entries.get(name);
    if (!e) return undefined;
    return e.value.kind === 'map' ? this.extended(name) : e.value;
  }

  /** `v` with every `!reference` replaced by its (resolved) target. */
  resolve(v: V): V {
    switch (v.kind) {
      case 'scalar':
        return v;
      case 'seq': {
        let changed = false;
        const items = v.items.map((it) => {
          const r = this.resolve(it);
          if (r !== it) changed = true;
          return r;
        });
        return changed ? { ...v, items } : v;
      }
      case 'map': {
        let changed = false;
        const entries = new Map<string, VEntry>();
        for (const [k, e] of v.entries) {
          const r = this.resolve(e.value);
          if (r !== e.value) changed = true;
          entries.set(k, r === e.value ? e : { ...e, value: r });
        }
        return changed ? { ...v, entries } : v;
      }
      case 'ref':
        return this.#reference(v);
    }
  }

  #reference(ref: VRef): V {
    const done = this.#refs.get(ref);
    if (done) {
      this.#unreadAdd(this.#unread.get(ref));
      return done;
    }
    const names = ref.path.map((p) => String(p.value));
    const shown = `!reference [${names.join(', ')}]`;
    if (this.#refStack.includes(ref)) {
      throw ref.src.error('reference-cycle', `circular ${shown}`, ref.offset);
    }
    if (this.#refStack.length >= MAX_REFERENCE_DEPTH) {
      throw ref.src.error('reference-depth', `${shown}: references nested more than ${MAX_REFERENCE_DEPTH} levels`, ref.offset);
    }
    const { value: out, unread } = this.collect((): V => {
      this.reached.add(names[0]!);
      let target = this.top.entries.get(names[0]!)?.value.kind === 'map' ? this.topValue(names[0]!) : this.top.entries.get(names[0]!)?.value;
      for (let i = 1; target && i < names.length; i++) {
        const cur: V = target.kind === 'ref' ? this.#within(ref, target) : target;
        target = cur.kind === 'map' ? cur.entries.get(names[i]!)?.value : undefined;
      }
      if (!target || isNullV(target)) {
        const defined = this.top.entries.has(names[0]!);
        this.onNote(ref.src.diagnostic(
          'info', 'reference-not-found',
          defined
            ? `${shown}: ${names[0]} has no ${names.slice(1).join('.')} in the files read (what it extends may come from an include that was not read); the reference is read as empty`
            : `${shown}: ${names[0]} is defined in no file read (an include that was not read may define it); the reference is read as empty`,
          ref.offset,
        ));
        this.#collecting!.add(shown);
        return { kind: 'seq', items: [], src: ref.src, offset: ref.offset };
      }
      return this.#within(ref, target);
    });
    this.#refs.set(ref, out);
    if (unread.length) this.#unread.set(ref, unread);
    return out;
  }

  #within(ref: VRef, v: V): V {
    this.#refStack.push(ref);
    try {
      return this.resolve(v);
    } finally {
      this.#refStack.pop();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// jobs

function buildJobs(ctx: Ctx, top: VMap): { jobs: Job[]; templates: Job[] } {
  const r = new Resolver(top, (d) => note(ctx, d));
  // An input error (a cycle, too deep nesting) stops the one job or keyword that meets it, never the others.
  const guarded = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      note(ctx, e.diagnostic);
      return undefined;
    }
  };
  const get = (m: VMap | undefined, k: string): V | undefined => {
    const e = m?.entries.get(k);
    return e && !isNullV(e.value) ? r.resolve(e.value) : undefined;
  };
  const globals = guarded(() => r.collect(() => {
    const defaultE = top.entries.get('default');
    const defaultV = defaultE && !isJobKey('default', defaultE.value) ? get(top, 'default') : undefined;
    return {
      defaults: defaultV?.kind === 'map' ? defaultV : undefined,
      globalVars: get(top, 'variables'),
      image: get(top, 'image'),
      services: get(top, 'services'),
      before_script: get(top, 'before_script'),
      after_script: get(top, 'after_script'),
    };
  }));
  const jobs: Job[] = [];
  for (const [name, entry] of top.entries) {
    if (!isJobKey(name, entry.value) || name.startsWith('.')) continue;
    if (entry.value.kind !== 'map') {
      note(ctx, entry.src.diagnostic('warning', 'not-a-job', `top-level key "${name}" is neither a keyword nor a job (its value is not a map)`, entry.offset));
      continue;
    }
    const job = guarded(() => r.collect(() => buildJob(ctx, r, get, name, entry, globals?.value)));
    if (!job) continue;
    const unread = [...new Set([...job.unread, ...(globals?.unread ?? [])])];
    if (unread.length) job.value.unread = unread;
    jobs.push(job.value);
  }
  return { jobs, templates: buildTemplates(ctx, r, guarded, get, globals) };
}

/**
 * The templates no job reaches: hidden jobs that no job `extends` or `!reference`s here, which other
 * files or projects may use. A hidden job with a script section is analysed as a job of its own; a
 * list of commands under a hidden key (`.x: [...]`, or `.x: {start: [...]}` for `!reference [.x, start]`)
 * as a script. They are what other pipelines run, so their findings count.
 */
function buildTemplates(
  ctx: Ctx,
  r: Resolver,
  guarded: <T>(f: () => T) => T | undefined,
  get: (m: VMap | undefined, k: string) => V | undefined,
  globals: { value: Globals; unread: string[] } | undefined,
): Job[] {
  const templates: Job[] = [];
  const fragment = (shown: string, entry: VEntry, v: V): void => {
    const resolved = guarded(() => r.collect(() => r.resolve(v)));
    if (!resolved) return;
    const items = flatten(resolved.value);
    if (!items.length || !items.every((it) => it.kind === 'scalar' && typeof it.value === 'string')) return;
    const pos = entry.src.position(entry.offset);
    const job: Job = {
      name: shown, file: entry.src.file, line: pos.line, column: pos.column,
      before_script: [], script: scriptItems(ctx, resolved.value), after_script: [], tags: [], variables: {},
      template: shown, fragment: true,
    };
    if (resolved.unread.length) job.unread = resolved.unread;
    templates.push(job);
  };
  for (const [name, entry] of r.top.entries) {
    if (!name.startsWith('.') || r.reached.has(name)) continue;
    if (entry.value.kind === 'seq') {
      fragment(`!reference [${name}]`, entry, entry.value);
      continue;
    }
    if (entry.value.kind !== 'map') continue;
    const own = entry.value;
    const extended = guarded(() => r.extended(name));
    if (!extended) continue;
    if (SECTIONS.some((s) => !isNullV(extended.entries.get(s)?.value))) {
      const job = guarded(() => r.collect(() => buildJob(ctx, r, get, name, entry, globals?.value, true)));
      if (job) {
        const unread = [...new Set([...job.unread, ...(globals?.unread ?? [])])];
        if (unread.length) job.value.unread = unread;
        job.value.template = name;
        templates.push(job.value);
      }
    }
    for (const [k, e] of own.entries) {
      if (!JOB_KEYWORDS.has(k) && (e.value.kind === 'seq' || e.value.kind === 'ref')) fragment(`!reference [${name}, ${k}]`, e, e.value);
    }
  }
  return templates;
}

interface Globals {
  defaults: VMap | undefined;
  globalVars: V | undefined;
  image: V | undefined;
  services: V | undefined;
  before_script: V | undefined;
  after_script: V | undefined;
}

function buildJob(
  ctx: Ctx, r: Resolver, get: (m: VMap | undefined, k: string) => V | undefined, name: string, entry: VEntry, globals: Globals | undefined,
  template = false,
): Job {
  const { defaults, globalVars } = globals ?? { defaults: undefined, globalVars: undefined };
  const job = r.resolve(r.extended(name)) as VMap;
  for (const [k, e] of job.entries) {
    // GitLab checks the keywords of jobs, not of hidden ones (whose other keys are often fragments).
    if (!template && !JOB_KEYWORDS.has(k)) {
      note(ctx, e.src.diagnostic('warning', 'unknown-keyword', `job "${name}" has an unknown keyword "${k}" (GitLab rejects the pipeline); it is ignored`, e.offset));
    }
  }
  const inherit = get(job, 'inherit');
  const inheritMap = inherit?.kind === 'map' ? inherit : undefined;
  const allowed = (which: 'default' | 'variables', key: string): boolean => {
    const v = get(inheritMap, which);
    if (!v) return true;
    if (v.kind === 'scalar') return v.value !== false;
    if (v.kind === 'seq') return v.items.some((it) => str(it) === key);
    return true;
  };
  const inherited = (key: (typeof DEFAULT_KEYS)[number]): V | undefined => {
    const own = get(job, key);
    if (own) return own;
    if (!allowed('default', key)) return undefined;
    return get(defaults, key) ?? (key === 'tags' ? undefined : globals?.[key]);
  };
  const sections = {} as Record<Section, ScriptItem[]>;
  for (const s of SECTIONS) {
    const v = s === 'script' ? get(job, s) : inherited(s);
    sections[s] = v ? scriptItems(ctx, v) : [];
  }
  const variables: Record<string, string> = {};
  const addVars = (v: V | undefined, filter: (k: string) => boolean): void => {
    if (v?.kind !== 'map') return;
    for (const [k, e] of v.entries) {
      if (!filter(k)) continue;
      const val = e.value.kind === 'map' ? e.value.entries.get('value')?.value : e.value;
      const s = str(val);
      if (s !== undefined) variables[k] = s;
    }
  };
  addVars(globalVars, (k) => allowed('variables', k));
  addVars(get(job, 'variables'), () => true);
  const image = inherited('image');
  const imageName = image?.kind === 'map' ? str(image.entries.get('name')?.value) : str(image);
  const servicesV = inherited('services');
  const services = servicesV ? flatten(servicesV).flatMap((s) => serviceOf(s) ?? []) : [];
  const tagsV = inherited('tags');
  const tags = tagsV ? flatten(tagsV).map(str).filter((t): t is string => t !== undefined) : [];
  const pos = entry.src.position(entry.offset);
  const out: Job = {
    name, file: entry.src.file, line: pos.line, column: pos.column,
    before_script: sections.before_script, script: sections.script, after_script: sections.after_script,
    tags, variables,
  };
  if (imageName !== undefined) out.image = imageName;
  if (services.length) out.services = services;
  return out;
}

/** A `services:` entry: `postgres:16`, or `{ name: docker:27-dind, alias: dockerd }`. */
function serviceOf(v: V): { name: string; alias?: string } | undefined {
  if (v.kind !== 'map') {
    const name = str(v);
    return name === undefined ? undefined : { name };
  }
  const name = str(v.entries.get('name')?.value);
  if (name === undefined) return undefined;
  const alias = str(v.entries.get('alias')?.value);
  return alias === undefined ? { name } : { name, alias };
}

function flatten(v: V, out: V[] = []): V[] {
  if (v.kind !== 'seq') out.push(v);
  else for (const it of v.items) flatten(it, out);
  return out;
}

/** The item's text: strings as parsed; numbers as written (`1.0` stays `1.0`, as GitLab runs it); booleans as `true`/`false`. */
function itemText(v: VScalar): string {
  if (typeof v.value === 'number' || typeof v.value === 'bigint') {
    const written = v.token ? mapScalarToken(v.token)?.value : undefined;
    if (written !== undefined && written !== '') return written;
  }
  return String(v.value);
}

function scriptItems(ctx: Ctx, v: V): ScriptItem[] {
  if (v.kind === 'map') {
    note(ctx, v.src.diagnostic('warning', 'bad-script-item', 'a script section must be a string or a list of strings; a map is ignored', v.offset));
    return [];
  }
  const items: ScriptItem[] = [];
  for (const it of flatten(v)) {
    if (it.kind === 'scalar' && it.value !== null && typeof it.value !== 'object') {
      // one item per written scalar, shared by the jobs that reach it through `extends`, `!reference`
      // or `default:` (an alias makes a copy of the scalar, and so an item of its own)
      items.push(
        (it.item ??= it.written
          ? new InterpolatedItem(YamlScriptItem.of(it, it.written.text), itemText(it), it.written.from)
          : YamlScriptItem.of(it, itemText(it))),
      );
    } else {
      const what = it.kind === 'scalar' ? 'an empty (null) item' : 'a map item';
      note(ctx, it.src.diagnostic('warning', 'bad-script-item', `${what} in a script list is not a command; it is skipped`, it.offset));
    }
  }
  return items;
}

export { SourceFile };
