/**
 * `ci-bgsafe lsp`: the linter as a language server. It lints GitLab CI/CD files from the editor's text
 * (unsaved included files too) as they are opened and changed, and answers with diagnostics, quick
 * fixes and hovers. It reads files (includes, `.ci-bgsafe.yml`, the rule docs) and never writes one,
 * runs a program or fetches anything; a document it cannot lint gives a diagnostic, never a crash.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic as LspDiagnostic,
  type DiagnosticRelatedInformation,
  type Hover,
  type InitializeResult,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { defaultConfig, findConfigFile, isIgnored, parseConfig, type Config } from '../config/index.js';
import { CI_FILE, repositoryRoot } from '../files.js';
import { setHost } from '../host.js';
import { nodeHost, packageRoot } from '../node/host.js';
import { fixEdits } from '../fix/library.js';
import { lintFile } from '../lint.js';
import { RULES, findRule } from '../rules/index.js';
import { docUrl } from '../rules/types.js';
import { initShellParser } from '../shell/parser.js';
import { applySuppressions } from '../suppress.js';
import { InputError, type Diagnostic, type Finding, type Pipeline } from '../types.js';
import {
  afterBom, contains, disableLineEdit, findingDiagnostic, hasBom, howToFix, inputDiagnostic, overlaps, pointRange, positionAt, rangeAfterBom, SOURCE,
} from './convert.js';

export interface ServerOptions {
  /** Milliseconds between the last change of a document and its lint (default 200). */
  debounceMs?: number;
}

/** One published diagnostic and what it came from. */
interface Item {
  diagnostic: LspDiagnostic;
  finding?: Finding;
  /** The text of the finding's file as linted (the offsets of its fix refer to it). */
  text?: string;
  /** The services component the configuration names, for a fix that needs the library. */
  component?: string;
}

/** A pipeline being linted: an open CI file, or the repository's `.gitlab-ci.yml` for an open YAML file. */
interface Entry {
  path: string;
  /** Why it is linted: open in the editor, or the root pipeline of an open file. */
  open: boolean;
  /** Every file it read (absolute paths), with the items for each. */
  results: Map<string, Item[]>;
  /** The texts it was linted from (absolute path -> text), for edits' offsets. */
  sources: Map<string, string>;
  timer?: ReturnType<typeof setTimeout>;
}

const CONFIG_NAMES = new Set(['.ci-bgsafe.yml', '.ci-bgsafe.yaml']);
const METAS = RULES.map((r) => r.meta);

function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Whether `path` is a GitLab CI/CD file by its name and place, as `ci-bgsafe lint DIR` picks them. */
export function isCiFile(path: string): boolean {
  const rel = relative(repositoryRoot(dirname(path)), path).split(sep).join('/');
  return CI_FILE.test(rel);
}

function isYaml(path: string): boolean {
  return /\.ya?ml$/i.test(path);
}

/** Answers on `connection` until the client is gone. */
export function startServer(connection: Connection, options: ServerOptions = {}): void {
  setHost(nodeHost);
  let debounceMs = options.debounceMs ?? 200;
  const documents = new TextDocuments(TextDocument);
  const entries = new Map<string, Entry>();
  /** URIs the client named each path by. */
  const uris = new Map<string, string>();
  /** Paths whose diagnostics were last published non-empty. */
  const published = new Set<string>();
  let parserReady: Promise<unknown> | undefined;

  const uriOf = (path: string): string => uris.get(path) ?? pathToFileURL(path).href;
  const log = (message: string): void => {
    try {
      connection.console.error(message);
    } catch {
      // the client is gone: nothing to tell
    }
  };

  /** Unsaved texts of open files, by path. */
  function openTexts(): Map<string, string> {
    const out = new Map<string, string>();
    for (const d of documents.all()) {
      const p = pathOf(d.uri);
      if (p) out.set(p, d.getText());
    }
    return out;
  }

  function configFor(path: string, texts: Map<string, string>): { config: Config; error?: Diagnostic; text?: string } {
    const file = findConfigFile(dirname(path));
    if (!file) return { config: defaultConfig() };
    let text = texts.get(file);
    try {
      text ??= readFileSync(file, 'utf8');
      return { config: parseConfig(text, file, METAS) };
    } catch (e) {
      if (e instanceof InputError) return { config: defaultConfig(), error: e.diagnostic, text };
      return {
        config: defaultConfig(),
        error: { severity: 'error', code: 'config-unreadable', message: `cannot read configuration: ${(e as Error).message}`, file, line: 1, column: 1 },
      };
    }
  }

  /** Lints one pipeline from the current texts; never throws. */
  function lintEntry(entry: Entry): void {
    const texts = openTexts();
    const results = new Map<string, Item[]>();
    const sources = new Map<string, string>();
    const add = (file: string, item: Item): void => {
      // the linter's positions are in the text without a byte order mark; the editor's document has it
      item.diagnostic.range = rangeAfterBom(item.diagnostic.range, hasBom(texts.get(file)));
      let list = results.get(file);
      if (!list) results.set(file, (list = []));
      list.push(item);
    };
    results.set(entry.path, []);
    try {
      const { config, error, text: configText } = configFor(entry.path, texts);
      if (error) {
        add(error.file, { diagnostic: inputDiagnostic(error, configText) });
        add(entry.path, {
          diagnostic: {
            range: pointRange(undefined, 1, 1), severity: 2, code: 'config-invalid', source: SOURCE,
            message: `${basename(error.file)} is not valid (${error.line}:${error.column}: ${error.message}); this file is linted with the default settings`,
          },
        });
      }
      if (!isIgnored(config, entry.path)) {
        const text = texts.get(entry.path);
        const r = lintFile(entry.path, config, { texts }, text);
        const pipeline = r.pipeline;
        if (pipeline) for (const [f, t] of pipeline.sources) sources.set(f, t);
        else if (text !== undefined) sources.set(entry.path, text);
        const suppressed = applySuppressions(r.findings, pipeline?.sources ?? new Map(), METAS);
        for (const f of suppressed.findings) {
          const diagnostic = findingDiagnostic(f);
          diagnostic.relatedInformation = relatedJobs(f, pipeline);
          add(f.file, { diagnostic, finding: f, text: sources.get(f.file), component: config.servicesComponent });
        }
        for (const d of [...r.errors, ...r.notes, ...suppressed.unused]) add(d.file, { diagnostic: inputDiagnostic(d, sources.get(d.file) ?? texts.get(d.file)) });
      }
    } catch (e) {
      log(`ci-bgsafe: internal error while linting ${entry.path}: ${(e as Error)?.stack ?? String(e)}`);
      add(entry.path, {
        diagnostic: {
          range: pointRange(undefined, 1, 1), severity: 1, code: 'internal-error', source: SOURCE,
          message: `ci-bgsafe could not lint this file (an internal error: ${(e as Error)?.message ?? String(e)}); please report it with the file`,
        },
      });
    }
    const before = new Set(entry.results.keys());
    entry.results = results;
    entry.sources = sources;
    for (const f of new Set([...before, ...results.keys()])) publish(f);
  }

  function relatedJobs(f: Finding, pipeline: Pipeline | undefined): DiagnosticRelatedInformation[] {
    if (!pipeline) return [];
    const out: DiagnosticRelatedInformation[] = [];
    for (const name of f.jobs) {
      const job = pipeline.jobs.find((j) => j.name === name);
      if (!job) continue;
      const start = { line: job.line - 1, character: job.column - 1 };
      out.push({
        location: { uri: uriOf(job.file), range: { start, end: { line: start.line, character: start.character + name.length } } },
        message: `run by job ${name}`,
      });
    }
    return out;
  }

  /** The items of one file from every pipeline that read it, each diagnostic once. */
  function itemsOf(path: string): Item[] {
    const seen = new Set<string>();
    const out: Item[] = [];
    for (const e of entries.values()) {
      for (const item of e.results.get(path) ?? []) {
        const r = item.diagnostic.range;
        const key = `${item.diagnostic.code}|${r.start.line}:${r.start.character}|${item.diagnostic.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(item);
      }
    }
    return out;
  }

  function publish(path: string): void {
    const diagnostics = itemsOf(path).map((i) => i.diagnostic);
    if (!diagnostics.length && !published.has(path)) return;
    if (diagnostics.length) published.add(path);
    else published.delete(path);
    const uri = uriOf(path);
    const doc = documents.get(uri);
    void connection.sendDiagnostics({ uri, diagnostics, ...(doc ? { version: doc.version } : {}) }).catch(() => undefined);
  }

  async function run(entry: Entry): Promise<void> {
    entry.timer = undefined;
    try {
      parserReady ??= initShellParser();
      await parserReady;
    } catch (e) {
      log(`ci-bgsafe: the bash parser did not load: ${(e as Error)?.message ?? String(e)}`);
      return;
    }
    if (entries.get(entry.path) !== entry) return;
    lintEntry(entry);
  }

  function schedule(entry: Entry, delay = debounceMs): void {
    if (entry.timer) clearTimeout(entry.timer);
    entry.timer = setTimeout(() => void run(entry), delay);
  }

  /** Lints now what waits for its debounce, so that fixes and hovers see the current text. */
  async function flush(path: string): Promise<void> {
    for (const e of entries.values()) {
      if (e.timer && reads(e, path)) {
        clearTimeout(e.timer);
        await run(e);
      }
    }
  }

  function addEntry(path: string, open: boolean): Entry {
    let e = entries.get(path);
    if (e) {
      e.open ||= open;
      return e;
    }
    e = { path, open, results: new Map(), sources: new Map() };
    entries.set(path, e);
    return e;
  }

  function dropEntry(e: Entry): void {
    if (e.timer) clearTimeout(e.timer);
    entries.delete(e.path);
    for (const f of e.results.keys()) publish(f);
  }

  const reads = (e: Entry, path: string): boolean => e.path === path || e.sources.has(path) || e.results.has(path);

  /** The pipelines to lint again when `path` changed: itself, and every pipeline that read it. */
  function affected(path: string): Entry[] {
    return [...entries.values()].filter((e) => reads(e, path));
  }

  /** An open YAML file that no linted pipeline reads yet: lint the repository's `.gitlab-ci.yml`, which may include it. */
  function rootPipelineFor(path: string): void {
    if (affected(path).length) return;
    const root = join(repositoryRoot(dirname(path)), '.gitlab-ci.yml');
    if (root === path) return;
    if (!existsSync(root)) return;
    schedule(addEntry(root, false), 0);
  }

  function opened(uri: string): void {
    const path = pathOf(uri);
    if (!path) return;
    uris.set(path, uri);
    if (CONFIG_NAMES.has(basename(path))) return;
    if (isCiFile(path)) schedule(addEntry(path, true), 0);
    else if (isYaml(path)) {
      for (const e of affected(path)) schedule(e, 0);
      rootPipelineFor(path);
    }
  }

  function changed(path: string): void {
    if (CONFIG_NAMES.has(basename(path))) {
      for (const e of entries.values()) schedule(e);
      return;
    }
    for (const e of affected(path)) schedule(e);
  }

  const guard = <A extends unknown[], R>(what: string, f: (...a: A) => R, fallback: R) => (...a: A): R => {
    try {
      return f(...a);
    } catch (e) {
      log(`ci-bgsafe: ${what} failed: ${(e as Error)?.stack ?? String(e)}`);
      return fallback;
    }
  };

  let watchRegistration = false;
  connection.onInitialize((params): InitializeResult => {
    const init = params.initializationOptions as { debounceMs?: unknown } | undefined;
    if (typeof init?.debounceMs === 'number' && init.debounceMs >= 0) debounceMs = init.debounceMs;
    watchRegistration = !!params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        hoverProvider: true,
      },
      serverInfo: { name: 'ci-bgsafe' },
    };
  });

  connection.onInitialized(() => {
    if (watchRegistration) {
      void connection.client
        .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{yml,yaml}' }] })
        .catch(() => undefined);
    }
  });

  documents.onDidOpen(guard('open', (e) => opened(e.document.uri), undefined));
  documents.onDidChangeContent(guard('change', (e) => {
    const path = pathOf(e.document.uri);
    if (path) changed(path);
  }, undefined));
  documents.onDidClose(guard('close', (e) => {
    const path = pathOf(e.document.uri);
    if (!path) return;
    const own = entries.get(path);
    if (own) {
      own.open = false;
      // still the root pipeline of an open file it reads: keep it, linted from disk
      const stillNeeded = documents.all().some((d) => {
        const p = pathOf(d.uri);
        return p !== undefined && p !== path && reads(own, p);
      });
      if (stillNeeded) schedule(own, 0);
      else dropEntry(own);
    }
    for (const e of affected(path)) schedule(e, 0);
    // a root pipeline kept only for files no longer open
    for (const e of [...entries.values()]) {
      if (e.open || e === own) continue;
      const needed = documents.all().some((d) => {
        const p = pathOf(d.uri);
        return p !== undefined && p !== e.path && reads(e, p);
      });
      if (!needed) dropEntry(e);
    }
  }, undefined));

  connection.onDidChangeWatchedFiles(guard('watched files', (params) => {
    for (const c of params.changes) {
      const path = pathOf(c.uri);
      if (path && !documents.get(c.uri)) changed(path);
    }
  }, undefined));

  connection.onCodeAction(async (params) => {
    try {
      const path = pathOf(params.textDocument.uri);
      if (!path) return [];
      await flush(path);
      const actions: CodeAction[] = [];
      for (const item of itemsOf(path)) {
        const f = item.finding;
        if (!f || !overlaps(item.diagnostic.range, params.range)) continue;
        const diagnostics = [item.diagnostic];
        // Each fix --fix would make, then the other repair the rule offers (the job guard).
        for (const [fix, preferred] of [[f.fix, true], [f.alternative, false]] as const) {
          if (!fix) continue;
          // A fix that needs the library or the guard adds it to the file, once.
          const edits = item.text !== undefined ? fixEdits(f.file, item.text, fix, item.component) : fix.library || fix.guard ? undefined : fix.edits;
          const changes: Record<string, LspTextEdit[]> = {};
          let ok = edits !== undefined;
          for (const edit of edits ?? []) {
            const text = edit.file === f.file ? item.text : sourceOf(edit.file);
            if (text === undefined) {
              ok = false;
              break;
            }
            const bom = bomOf(edit.file);
            const range = { start: afterBom(positionAt(text, edit.range[0]), bom), end: afterBom(positionAt(text, edit.range[1]), bom) };
            (changes[uriOf(edit.file)] ??= []).push({ range, newText: edit.text });
          }
          if (ok) actions.push({ title: `${fix.title} (${f.ruleId})`, kind: CodeActionKind.QuickFix, diagnostics, isPreferred: preferred, edit: { changes } });
        }
        const disable = item.text !== undefined ? disableLineEdit(item.text, f.line, f.column, f.ruleId) : undefined;
        if (disable) {
          const at = afterBom(positionAt(item.text!, disable.offset), bomOf(f.file));
          actions.push({
            title: `Disable ${f.ruleId} for this line (give the reason after --)`,
            kind: CodeActionKind.QuickFix,
            diagnostics,
            edit: { changes: { [uriOf(f.file)]: [{ range: { start: at, end: at }, newText: disable.text }] } },
          });
        }
      }
      return actions;
    } catch (e) {
      log(`ci-bgsafe: code actions failed: ${(e as Error)?.stack ?? String(e)}`);
      return [];
    }
  });

  /** Whether the editor's document of `path` starts with a byte order mark (the linter's text does not). */
  function bomOf(path: string): boolean {
    return hasBom(documents.get(uriOf(path))?.getText());
  }

  function sourceOf(path: string): string | undefined {
    for (const e of entries.values()) {
      const t = e.sources.get(path);
      if (t !== undefined) return t;
    }
    return undefined;
  }

  connection.onHover(async (params): Promise<Hover | null> => {
    try {
      const path = pathOf(params.textDocument.uri);
      if (!path) return null;
      await flush(path);
      const parts: string[] = [];
      for (const item of itemsOf(path)) {
        const f = item.finding;
        if (!f || !contains(item.diagnostic.range, params.position)) continue;
        parts.push(hoverText(f));
      }
      return parts.length ? { contents: { kind: 'markdown', value: parts.join('\n\n---\n\n') } } : null;
    } catch (e) {
      log(`ci-bgsafe: hover failed: ${(e as Error)?.stack ?? String(e)}`);
      return null;
    }
  });

  documents.listen(connection);
  connection.listen();
}

const docs = new Map<string, string | undefined>();

/** The rule's doc page as shipped with the package (docs/rules/ID.md). */
function ruleDoc(id: string): string | undefined {
  if (!docs.has(id)) {
    let text: string | undefined;
    try {
      text = readFileSync(join(packageRoot(), 'docs', 'rules', `${id}.md`), 'utf8');
    } catch {
      text = undefined;
    }
    docs.set(id, text);
  }
  return docs.get(id);
}

export function hoverText(f: Finding): string {
  const meta = findRule(f.ruleId)?.meta;
  const lines = [`**${f.ruleId} ${f.ruleName}** (${f.severity}): ${meta?.summary ?? ''}`.trim()];
  if (f.jobs.length) lines.push(`Run by: ${f.jobs.map((j) => `\`${j}\``).join(', ')}`);
  const doc = ruleDoc(f.ruleId);
  const fix = doc ? howToFix(doc, f.ruleId) : undefined;
  if (fix) lines.push(`**What to do:** ${fix}`);
  else if (f.suggestion) lines.push(`**What to do:** ${f.suggestion}`);
  if (f.fixable) lines.push('A quick fix can change this for you.');
  lines.push(`[${f.ruleId} documentation](${docUrl(f.ruleId)})`);
  return lines.join('\n\n');
}
