/**
 * The linter: files -> pipeline model -> per-job shell analysis -> rules -> findings.
 * Reads the files and configurations it is given and returns a report as data; printing and exit codes
 * belong to the CLI. It neither fixes (src/fix/) nor generates (src/gen/).
 */
import { dirname, isAbsolute, relative, resolve } from 'pathe';
import { ciFilesIn, isDirectory } from './files.js';
import { host, readText } from './host.js';
import { defaultConfig, findConfigFile, isIgnored, loadConfig, ruleSetting, type Config } from './config/index.js';
import { loadPipeline } from './gitlab/index.js';
import { RULES } from './rules/index.js';
import type { Report, Rule } from './rules/rule.js';
import { analyseJob, factsTexts, jobPrograms, type JobAnalysis } from './shell/analysis.js';
import { Parses } from './shell/parses.js';
import { initShellParser } from './shell/parser.js';
import { partAt, toSource } from './shell/program.js';
import { FileScriptItem, isShellScript, MAX_SCRIPT_DEPTH, projectRoot, ScriptFiles, scriptShell, type ScriptRun } from './scripts.js';
import { applySuppressions } from './suppress.js';
import { InputError, severityRank, type Diagnostic, type Executor, type Finding, type Job, type LintReport, type Pipeline, type Severity, type ShellKind } from './types.js';

export interface LintOptions {
  /** Paths in the report are relative to it (default: the host's working folder). */
  cwd?: string;
  /** A configuration to use for every file; when absent, `.ci-bgsafe.yml` is looked up from each file's folder. */
  config?: Config;
  /** Do not look up configuration files. */
  noConfig?: boolean;
  /** Executor for every job, overriding configuration and the guess from tags and image. */
  executor?: Executor;
  /** Rules to run (default: all). */
  rules?: Rule[];
  /** Text for the path `-` (standard input), with the name to report it under. */
  stdin?: { text: string; name?: string };
  /** Texts of files by absolute path, used instead of what is on disk for included files (an editor's unsaved buffers). */
  texts?: ReadonlyMap<string, string>;
  /**
   * Local checkouts of other projects (GitLab project path -> folder, relative to `cwd`), for
   * `include: project` and `include: component`; added to (and above) the configuration's `map:`.
   */
  map?: Readonly<Record<string, string>>;
}

export interface FileResult {
  pipeline?: Pipeline;
  findings: Finding[];
  errors: Diagnostic[];
  notes: Diagnostic[];
}

/** Lints files (`-` reads `options.stdin`). One bad file does not stop the others. */
export async function lint(paths: string[], options: LintOptions = {}): Promise<LintReport> {
  // The grammar compiles off the main thread while the first file's YAML is read and resolved.
  const parserReady = initShellParser();
  // Awaited only where a file loads: a failure with no file to lint must not be an unhandled rejection.
  parserReady.catch(() => undefined);
  // One turn of the event loop, so that the grammar's compilation gets past its first step and goes on
  // in the background while the files below are read.
  await new Promise<void>((r) => setTimeout(r, 0));
  const cwd = options.cwd ?? host().cwd();
  const report: LintReport = { findings: [], errors: [], notes: [], files: [], sources: new Map(), cwd };
  const configs = new Map<string, Config>();
  // The run's parses, shared by its files (each file's are freed once its jobs are linted).
  const parses = new Parses();
  // Every file is read first: a file that another one of the run includes is linted as part of that
  // pipeline, with the jobs that use its templates, and not again as a pipeline of its own.
  const entries: Array<{ p: string; file: string; isStdin: boolean; config: Config; loaded: FileResult; reads: Set<string> }> = [];
  for (const p of expandFolders(paths, cwd, report)) {
    const isStdin = p === '-';
    const file = isStdin ? options.stdin?.name ?? '<stdin>' : p;
    let config: Config;
    try {
      config = configFor(isStdin ? cwd : dirname(resolve(cwd, p)), options, configs);
    } catch (e) {
      if (e instanceof InputError) {
        report.errors.push(e.diagnostic);
        continue;
      }
      throw e;
    }
    if (!isStdin && isIgnored(config, resolve(cwd, p))) continue;
    report.settings = stricter(report.settings, config);
    const loaded = loadFile(isStdin ? file : resolve(cwd, p), isStdin ? options.stdin?.text ?? '' : undefined, options.texts, relative(cwd, resolve(cwd, p)) || p, projectMap(config, options, cwd));
    const self = isStdin ? undefined : resolve(cwd, p);
    const reads = new Set([...(loaded.pipeline?.sources.keys() ?? [])].map((f) => resolve(cwd, f)).filter((f) => f !== self));
    entries.push({ p, file, isStdin, config, loaded, reads });
  }
  const merged = new Merged(report);
  for (const e of lintedEntries(entries, cwd)) {
    report.files.push(e.file);
    if (!e.lint) continue;
    const { loaded } = e;
    if (loaded.pipeline) await parserReady;
    merged.add(loaded.pipeline ? lintPipeline(loaded.pipeline, e.file, e.config, options, parses) : loaded);
  }
  const suppressed = applySuppressions(report.findings, report.sources, (options.rules ?? RULES).map((r) => r.meta));
  report.findings = suppressed.findings.sort(byPosition);
  report.notes.push(...suppressed.unused);
  report.notes.sort(byPosition);
  return report;
}

/**
 * The results of a run's pipelines in one report. A file that several pipelines include is reported
 * once: each of its findings collects the jobs of every pipeline (a job's finding replaces the same
 * line's finding as a template), each note is given once.
 */
class Merged {
  readonly #report: LintReport;
  /** The findings of the pipelines added so far, by rule, position and severity. */
  readonly #findings = new Map<string, Finding>();
  readonly #notes = new Set<string>();

  constructor(report: LintReport) {
    this.#report = report;
  }

  add(r: FileResult): void {
    const report = this.#report;
    // Only findings of earlier pipelines are matched: a pipeline's own are already as it reports them.
    const own = new Map<string, Finding>();
    for (const f of r.findings) {
      const key = `${f.ruleId}|${f.file}|${f.line}|${f.column}|${f.severity}`;
      const seen = this.#findings.get(key);
      if (!seen) {
        report.findings.push(f);
        own.set(key, f);
      } else if (seen.template === undefined || f.template !== undefined) {
        for (const j of f.jobs) if (!seen.jobs.includes(j)) seen.jobs.push(j);
      } else {
        report.findings[report.findings.indexOf(seen)] = f;
        own.set(key, f);
      }
    }
    for (const [key, f] of own) this.#findings.set(key, f);
    report.errors.push(...r.errors);
    for (const n of r.notes) {
      const key = `${n.code}|${n.file}|${n.line}|${n.column}|${n.message}`;
      if (this.#notes.has(key)) continue;
      this.#notes.add(key);
      report.notes.push(n);
    }
    if (r.pipeline) for (const [f, t] of r.pipeline.sources) report.sources.set(f, t);
  }
}

/**
 * Which of the run's files are linted as pipelines of their own: those no other file of the run
 * includes (a file read through another's include is linted there, once), then, in order, any file
 * still unread that way (a file of an include cycle, whose files all include each other).
 */
function lintedEntries<E extends { p: string; isStdin: boolean; loaded: FileResult; reads: Set<string> }>(entries: E[], cwd: string): Array<E & { lint: boolean }> {
  const includedByAnother = (e: E): boolean => !e.isStdin && !!e.loaded.pipeline && entries.some((o) => o !== e && o.reads.has(resolve(cwd, e.p)));
  const lint = entries.map((e) => !includedByAnother(e));
  const covered = new Set<string>();
  entries.forEach((e, i) => lint[i] && e.reads.forEach((f) => covered.add(f)));
  entries.forEach((e, i) => {
    if (lint[i] || covered.has(resolve(cwd, e.p))) return;
    lint[i] = true;
    e.reads.forEach((f) => covered.add(f));
  });
  return entries.map((e, i) => ({ ...e, lint: lint[i]! }));
}

/**
 * The paths to lint: a folder stands for the GitLab CI/CD files in it (see files.ts); a folder without
 * any is an input error. A file named twice (or also found in a folder) is linted once.
 */
function expandFolders(paths: string[], cwd: string, report: LintReport): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string): void => {
    const key = p === '-' ? p : resolve(cwd, p);
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  };
  for (const p of paths) {
    if (p === '-' || !isDirectory(resolve(cwd, p))) {
      add(p);
      continue;
    }
    const found = ciFilesIn(resolve(cwd, p));
    if (!found.length) {
      report.errors.push({
        severity: 'error',
        code: 'no-ci-files',
        message: 'is a folder without GitLab CI/CD files (.gitlab-ci.yml, templates/NAME.yml, templates/NAME/template.yml, .gitlab/ci/*.yml)',
        file: p,
        line: 1,
        column: 1,
      });
    }
    for (const f of found) add(relative(cwd, f) || f);
  }
  return out;
}

/** The stricter of the run's settings so far and those of `config`. */
function stricter(settings: LintReport['settings'], config: Config): LintReport['settings'] {
  const out = { ...settings };
  const t = config.severityThreshold;
  if (t !== undefined && (out.severityThreshold === undefined || severityRank(t) < severityRank(out.severityThreshold))) out.severityThreshold = t;
  const m = config.maxWarnings;
  if (m !== undefined && (out.maxWarnings === undefined || m < out.maxWarnings)) out.maxWarnings = m;
  return out;
}

function configFor(dir: string, options: LintOptions, cache: Map<string, Config>): Config {
  if (options.config) return options.config;
  if (options.noConfig) return defaultConfig();
  const file = findConfigFile(dir);
  if (!file) return defaultConfig();
  let c = cache.get(file);
  if (!c) {
    c = loadConfig(file, RULES.map((r) => r.meta)).config;
    cache.set(file, c);
  }
  return c;
}

function byPosition(a: { file: string; line: number; column: number }, b: { file: string; line: number; column: number }): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}

/**
 * Lints one file already resolved to a path (or a stdin name with `text`). Input errors become `errors`.
 * `parses`: where its programs are parsed (default: its own); every parse is freed when it returns.
 */
export function lintFile(file: string, config: Config, options: LintOptions, text?: string, parses = new Parses()): FileResult {
  const loaded = loadFile(file, text, options.texts, file, projectMap(config, options, options.cwd ?? host().cwd()));
  return loaded.pipeline ? lintPipeline(loaded.pipeline, file, config, options, parses) : loaded;
}

/** The local checkouts of other projects for a file: the configuration's `map:`, then the options' (absolute folders). */
function projectMap(config: Config, options: LintOptions, cwd: string): Record<string, string> | undefined {
  if (!config.map && !options.map) return undefined;
  const out: Record<string, string> = { ...config.map };
  for (const [project, dir] of Object.entries(options.map ?? {})) out[project] = resolve(cwd, dir);
  return out;
}

/** Reads and resolves one file; input errors become `errors`. */
function loadFile(file: string, text?: string, texts?: ReadonlyMap<string, string>, display = file, map?: Record<string, string>): FileResult {
  try {
    const script = text === undefined ? scriptPipeline(file, display, texts?.get(file)) : undefined;
    if (script) return { pipeline: script, findings: [], errors: [], notes: [] };
    return {
      pipeline: loadPipeline(file, { ...(text !== undefined ? { text } : {}), ...(texts ? { texts } : {}), ...(map ? { map } : {}) }),
      findings: [], errors: [], notes: [],
    };
  } catch (e) {
    if (e instanceof InputError) return { findings: [], errors: [e.diagnostic], notes: [] };
    throw e;
  }
}

/**
 * A shell script given to lint (`.sh`, `.bash`, or a `#!` line naming a shell) as a pipeline of one job
 * that runs it: `script ci/start.sh`, without an image (so taken as a shell runner's job). Undefined for
 * any other file, and at once for a `.yml`/`.yaml` file. `unsaved`: the editor's text of the file.
 */
function scriptPipeline(file: string, display: string, unsaved?: string): Pipeline | undefined {
  if (/\.ya?ml$/i.test(file)) return undefined;
  let text: string;
  try {
    text = unsaved ?? readText(file);
    if (!isShellScript(file, text)) return undefined;
  } catch {
    return undefined; // the YAML loader reports what cannot be read
  }
  const item = new FileScriptItem(file, text);
  const job: Job = { name: `script ${display}`, file, line: 1, column: 1, before_script: [], script: [item], after_script: [], tags: [], variables: {} };
  return { file, sources: new Map([[file, text]]), jobs: [job], diagnostics: [], isComponent: false };
}

function lintPipeline(pipeline: Pipeline, file: string, config: Config, options: LintOptions, parses: Parses): FileResult {
  const notes: Diagnostic[] = [...pipeline.diagnostics.filter((d) => d.severity !== 'error')];
  const errors: Diagnostic[] = pipeline.diagnostics.filter((d) => d.severity === 'error');
  const rules = (options.rules ?? RULES)
    .map((rule) => ({ rule, setting: ruleSetting(config, rule.meta) }))
    .filter((r) => r.setting !== 'off');
  const run: FileRun = {
    file, rules, found: new Map(), noted: new Set(), notes, guardStyle: config.fixStyle === 'guard',
    scripts: new ScriptFiles(projectRoot(pipeline.file), isAbsolute(pipeline.file)), scriptTexts: new Set(), sources: pipeline.sources, parses,
    cwd: options.cwd ?? host().cwd(),
  };
  lintJobs(pipeline, config, options, run, parses);
  return { pipeline, findings: [...run.found.values()], errors, notes };
}

/** What linting one file collects, and how. */
interface FileRun {
  file: string;
  rules: Array<{ rule: Rule; setting: ReturnType<typeof ruleSetting> }>;
  /** Findings by rule and position: a line reached by several jobs is one finding. */
  found: Map<string, Finding>;
  /** Positions already given a "not fully analysed" note. */
  noted: Set<string>;
  notes: Diagnostic[];
  /** The project's shell scripts the jobs run, read once each. */
  scripts: ScriptFiles;
  /** For a finding in a repository script: the job line that runs it (set while such a script is linted). */
  via?: string;
  /** Script texts planned for the run (released when it ends). */
  scriptTexts: Set<string>;
  /** The texts the pipeline and its scripts were read from: rules make their fixes' edits on them. */
  sources: Map<string, string>;
  parses: Parses;
  /** `fixStyle: guard`: --fix applies a finding's alternative (the job guard) where it has one. */
  guardStyle: boolean;
  /** The folder paths in messages are relative to (the lint run's `cwd`). */
  cwd: string;
}

function lintJobs(pipeline: Pipeline, config: Config, options: LintOptions, run: FileRun, parses: Parses): void {
  const { file } = run;
  const work: Array<{
    job: Job;
    executor: Executor;
    shell: ReturnType<typeof guessShell>;
    programs: ReturnType<typeof jobPrograms>;
    /** The texts its programs' facts are made of: parsed once per distinct text, kept until the last job using it is done. */
    texts: string[];
  }> = [];
  for (const job of pipeline.templates?.length ? [...pipeline.jobs, ...pipeline.templates] : pipeline.jobs) {
    if (config.ignore.jobs.length && isIgnored(config, file, job.name)) continue;
    const executor = options.executor ?? config.executor ?? guessExecutor(job);
    const shell = guessShell(job, executor);
    if (shell === 'powershell') continue; // PowerShell is not sh: nothing here applies
    const programs = jobPrograms(job);
    work.push({ job, executor, shell, programs, texts: [...factsTexts(programs.main), ...factsTexts(programs.after)] });
  }
  const release = (w: (typeof work)[number]): void => {
    for (const t of w.texts) parses.release(t);
  };
  for (const w of work) parses.plan(w.texts);
  let done = 0;
  try {
    for (const w of work) {
      lintWithScripts(w.job, analyseJob(w.job, w.executor, w.shell, parses, w.programs), run, 0);
      release(w);
      done++;
    }
  } finally {
    // after an error, the uses that will not come
    for (const w of work.slice(done)) release(w);
    for (const t of run.scriptTexts) parses.release(t);
    parses.releaseUnplanned();
  }
}

/** A file as a message names it: relative to the working folder. */
function shown(file: string, cwd: string): string {
  return isAbsolute(file) ? relative(cwd, file) || file : file;
}

/** A script item, planned once for the whole run (so parsed once however many jobs run it). */
function scriptItem(run: FileRun, abs: string): FileScriptItem | undefined {
  const item = run.scripts.item(abs);
  if (item && !run.scriptTexts.has(item.text)) {
    run.scriptTexts.add(item.text);
    run.parses.plan([item.text]);
    run.sources.set(item.file, item.text);
  }
  return item;
}

/** `./ci/start.sh` (program line 3 of job "e2e", .gitlab-ci.yml:12) */
function describeRun(r: ScriptRun, analysis: JobAnalysis, job: Job, cwd: string): string {
  const src = toSource(analysis.main.program, r.cmd.start, r.cmd.end);
  const where = src ? `${shown(src.file, cwd)}:${src.line}` : `job "${job.name}"`;
  return `\`${r.cmd.node.text.replace(/\s+/g, ' ')}\` at ${where}`;
}

/**
 * Lints a job with the project scripts it runs: a sourced script becomes part of the job's own shell
 * (its text is put in the program right after the line that sources it, with its own positions), an
 * executed script is linted as a job of its own that runs it. Depth-bounded; nothing outside the project.
 */
function lintWithScripts(job: Job, analysis: JobAnalysis, run: FileRun, depth: number): void {
  let runs = depth < MAX_SCRIPT_DEPTH ? run.scripts.runs(analysis.main.facts) : [];
  const sourcedVia = new Map<FileScriptItem, string>();
  for (let round = 0; round < MAX_SCRIPT_DEPTH && runs.some((r) => r.how === 'source'); round++) {
    const inserted = new Set(sourcedVia.keys());
    let before = job.before_script;
    let script = job.script;
    let changed = false;
    for (const r of runs) {
      if (r.how !== 'source') continue;
      const item = scriptItem(run, r.abs);
      const part = partAt(analysis.main.program, r.cmd.start);
      if (!item || !part || inserted.has(item)) continue;
      inserted.add(item);
      sourcedVia.set(item, describeRun(r, analysis, job, run.cwd));
      const list = before.includes(part.item) ? before : script;
      const i = list.indexOf(part.item);
      if (i < 0) continue;
      const next = [...list.slice(0, i + 1), item, ...list.slice(i + 1)];
      if (list === before) before = next;
      else script = next;
      changed = true;
    }
    if (!changed) break;
    job = { ...job, before_script: before, script };
    analysis = analyseJob(job, analysis.executor, analysis.shell, run.parses);
    runs = run.scripts.runs(analysis.main.facts);
  }
  const via = run.via;
  if (sourcedVia.size) {
    // findings in a sourced script name the line that sources it
    run.via = [...sourcedVia.values()].join(', ');
  }
  lintJob(job, analysis, run);
  run.via = via;
  if (depth >= MAX_SCRIPT_DEPTH) return;
  for (const r of runs) {
    if (r.how !== 'exec') continue;
    const item = scriptItem(run, r.abs);
    if (!item) continue;
    const inner: Job = { ...job, before_script: [], script: [item], after_script: [] };
    run.via = describeRun(r, analysis, job, run.cwd);
    const shell = scriptShell(r, item.text, analysis.shell);
    lintWithScripts(inner, analyseJob(inner, analysis.executor, shell, run.parses), run, depth + 1);
    run.via = via;
  }
}

function lintJob(job: Job, analysis: JobAnalysis, run: FileRun): void {
  const { file, rules, noted, notes, sources } = run;
  for (const which of ['main', 'after'] as const) {
    const a = analysis[which];
    // a list under a hidden key need not be commands at all (file patterns, say): no note for what is not bash
    for (const p of job.fragment ? [] : a.facts.problems) {
      const src = toSource(a.program, p.start, p.end);
      if (!src) continue;
      const key = `${src.file}:${src.line}:${src.column}`;
      if (noted.has(key)) continue;
      noted.add(key);
      notes.push({
        severity: 'info',
        code: 'not-fully-analysed',
        message: `the shell parser could not read this part of job "${job.name}"'s ${src.section}; it is not fully analysed`,
        file: src.file,
        line: src.line,
        column: src.column,
      });
    }
  }
  const reports: Report[] = [];
  const context = { job: analysis, sources, report: (r: Report) => void reports.push(r) };
  for (const { rule, setting } of rules) {
    reports.length = 0;
    try {
      rule.check(context);
    } catch (e) {
      throw new Error(`rule ${rule.meta.id} failed on job "${job.name}" in ${file}: ${(e as Error).message}`, { cause: e });
    }
    for (const r of reports) addFinding(run, rule, setting === 'off' ? rule.meta.defaultSeverity : setting, r, analysis, job);
  }
}

/** The job names of findings reported by more than one job. */
const jobNames = new WeakMap<Finding, Set<string>>();

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

/**
 * Rules whose verdict a part of the job not read could change: a trap, a stop or a `wait` in an
 * `extends` parent or a `!reference` target defined in no file read (BG007's `exit 0` stays wrong).
 */
const DEPENDS_ON_WHOLE_JOB: ReadonlySet<string> = new Set(['BG001', 'BG002', 'BG005', 'BG006', 'BG009', 'BG011', 'BG014']);

/** A finding's message before the caveat about what its jobs do not show (see `caveat`). */
const plainMessage = new WeakMap<Finding, string>();

/** What a job uses that was not read, said after a finding that it could change. */
function caveat(job: Job): string {
  const what = job.unread!.slice(0, 3).join(', ') + (job.unread!.length > 3 ? ` and ${job.unread!.length - 3} more` : '');
  const who = job.template !== undefined ? `template ${job.template}` : `job "${job.name}"`;
  return ` Not certain: ${who} also uses ${what}, defined in no file read, which may stop the process itself.`;
}

function addFinding(run: FileRun, rule: Rule, configured: Finding['severity'], r: Report, analysis: JobAnalysis, job: Job): void {
  const { found, via, guardStyle, cwd } = run;
  const program = analysis[r.program].program;
  const src = toSource(program, r.start, r.end);
  if (!src) return;
  const inScript = src.item instanceof FileScriptItem;
  // A finding in a repository script names the job line that runs it; fixes edit YAML only.
  if (inScript && via) r = { ...r, message: `${r.message} (In ${shown(src.file, cwd)}, run by ${via}.)`, fix: undefined };
  // A rule may soften its finding on an executor where it cannot hang, but never above the configured level.
  const severity = r.severity && severityRank(r.severity) < severityRank(configured) ? r.severity : configured;
  const at = `${rule.meta.id}|${src.file}|${src.line}|${src.column}`;
  // A template's line that a job runs is the job's finding.
  if (job.template !== undefined && SEVERITIES.some((s) => found.has(`${at}|${s}`))) return;
  // Jobs that share the line collect in one finding per severity: a job where the line is harmless
  // (softened on its executor, or stopped by the job guard) does not hide another where it is not.
  const key = `${at}|${severity}`;
  const existing = found.get(key);
  if (existing) {
    // A template's finding collects every job that runs it: a set, not a scan of the list per job.
    let names = jobNames.get(existing);
    if (!names) jobNames.set(existing, (names = new Set(existing.jobs)));
    if (!names.has(job.name)) {
      names.add(job.name);
      existing.jobs.push(job.name);
    }
    // One job that shows all it runs makes the verdict certain.
    const plain = plainMessage.get(existing);
    if (plain !== undefined && !job.unread) {
      existing.message = plain;
      plainMessage.delete(existing);
    }
    return;
  }
  // Only a fixable rule's fix counts, and only one whose edits are all in the YAML file it is found in.
  // A template is the jobs' that use it, elsewhere: --fix leaves it alone (the suggestion stays).
  const usable = (x: Report['fix']) =>
    rule.meta.fixable && !inScript && job.template === undefined && x?.edits.length && x.edits.every((e) => e.file === src.file) ? x : undefined;
  const fix = usable(r.fix);
  const alternative = usable(r.alternative);
  const uncertain = !!job.unread && DEPENDS_ON_WHOLE_JOB.has(rule.meta.id);
  let message = uncertain ? r.message + caveat(job) : r.message;
  if (job.template !== undefined) {
    const user = job.fragment ? 'A job that runs these commands' : 'A job that uses the template';
    message = `in template ${job.template}: ${message}${DEPENDS_ON_WHOLE_JOB.has(rule.meta.id) ? ` ${user} may stop the process itself.` : ''}`;
  }
  const finding: Finding = {
    ruleId: rule.meta.id,
    ruleName: rule.meta.name,
    severity,
    message,
    file: src.file,
    line: src.line,
    column: src.column,
    endLine: src.endLine,
    endColumn: src.endColumn,
    jobs: job.template !== undefined ? [] : [job.name],
    section: src.section,
    // what --fix repairs: the alternative too where the configuration asks for the guard's style
    fixable: !!fix || (guardStyle && !!alternative),
    ...(fix ? { fix } : {}),
    ...(alternative ? { alternative } : {}),
    ...(r.suggestion ? { suggestion: r.suggestion } : {}),
    ...(job.template !== undefined ? { template: job.template } : {}),
  };
  if (uncertain && job.template === undefined) plainMessage.set(finding, r.message);
  found.set(key, finding);
}


/** Shell for jobs tagged for a shell runner or without any image; docker where an image applies. */
export function guessExecutor(job: Job): Executor {
  if (job.tags.some((t) => /(^|[-_.])shell($|[-_.])/i.test(t))) return 'shell';
  return job.image ? 'docker' : 'shell';
}

/** Images whose `sh` is busybox ash and that have no bash: Alpine and its derivatives, busybox, docker:…, curl's. */
const ASH_IMAGE = /(^|\/)(alpine|busybox)(:|$)|^alpine\/|[:-]alpine|(^|\/)docker(:|$)|^curlimages\//i;

/** Images known to have bash: the Debian, Ubuntu, Fedora and Red Hat families and the language images built on them. */
const BASH_IMAGE = new RegExp(
  '(^|/)(debian|ubuntu|fedora|centos|rockylinux|almalinux|amazonlinux|oraclelinux|archlinux|opensuse[^:/]*|buildpack-deps|' +
    'node|python|ruby|golang|rust|php|perl|openjdk|eclipse-temurin|amazoncorretto|maven|gradle|elixir|erlang|haskell|swift|julia|r-base|' +
    'gcc|clojure|groovy|sbt|composer)(:|$)|^mcr\\.microsoft\\.com/(dotnet|playwright)|^cypress/|^registry\\.fedoraproject\\.org/|^quay\\.io/(centos|fedora)/',
  'i',
);

/**
 * The shell the runner picks for a job (it prefers bash whenever the image has it): bash on shell and
 * SSH runners and in images known to have it, busybox ash in Alpine-family images, else unknown.
 */
export function guessShell(job: Job, executor: Executor): ShellKind {
  const image = job.image ?? '';
  if (job.tags.some((t) => /windows/i.test(t)) || /powershell|pwsh|windows|servercore|nanoserver/i.test(image)) return 'powershell';
  if (executor === 'shell' || executor === 'instance') return 'bash';
  if (ASH_IMAGE.test(image)) return 'ash';
  if (!image || BASH_IMAGE.test(image)) return 'bash';
  return 'unknown';
}
