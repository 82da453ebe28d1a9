/**
 * The playground: ci-bgsafe's linter and generator in the page, on the text typed into it. Nothing is
 * sent anywhere; the state (pipeline, executor, generator form) is kept in the URL's fragment to share.
 */
import picocolors from 'picocolors';
import ruleDocs from 'virtual:rule-docs';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { fixEdits as withSupport } from '../../src/fix/library.js';
import { codeFrame } from '../../src/format/text.js';
import { generate } from '../../src/gen/index.js';
import { GEN_FORMATS, type GenFormat, type GenShell } from '../../src/gen/types.js';
import { lintFile } from '../../src/lint.js';
import { RULES } from '../../src/rules/index.js';
import { initShellParser } from '../../src/shell/parser.js';
import { setHost } from '../../src/host.js';
import { applySuppressions } from '../../src/suppress.js';
import { InputError, type Diagnostic, type Executor, type Finding, type Fix, type TextEdit } from '../../src/types.js';
import { pageHost } from './host.js';
import { markdown } from './markdown.js';

setHost(pageHost);

const FILE = '.gitlab-ci.yml';
const METAS = RULES.map((r) => r.meta);
const plain = picocolors.createColors(false);

const EXAMPLE = `# The deploy job from "Why is Gitlab-Runner stuck when an error occurs with a
# background task": a VPN tunnel started in the background on a shell runner.
stages: [deploy]

deploy:
  stage: deploy
  tags: [shell]
  script:
    - sudo openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf > /dev/null & sleep 5
    - |
      cleanup() {
        echo "trap $1";
        sudo pkill openfortivpn;
      }
      set -Ee;
      trap cleanup 1 2 3 6 ERR;
    - ./deploy.sh production
    - sudo pkill openfortivpn
`;

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el as T;
};

const pipeline = $<HTMLTextAreaElement>('pipeline');
const executor = $<HTMLSelectElement>('executor');
const status = $<HTMLParagraphElement>('status');
const findingsList = $<HTMLOListElement>('findings');
const notesList = $<HTMLUListElement>('notes');
const ruleSelect = $<HTMLSelectElement>('rule');
const ruleDoc = $<HTMLDivElement>('rule-doc');
const genForm = $<HTMLFormElement>('gen-form');
const genOut = $<HTMLPreElement>('gen-out');
const genError = $<HTMLParagraphElement>('gen-error');
const genFormat = $<HTMLSelectElement>('gen-format');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Array<Node | string>): HTMLElementTagNameMap[K] {
  const e = Object.assign(document.createElement(tag), props);
  e.append(...children);
  return e;
}

// ---------------------------------------------------------------------------------------------
// State in the URL fragment

interface State {
  pipeline: string;
  executor: string;
  gen: Record<string, string>;
}

function encode(state: State): string {
  const bytes = new TextEncoder().encode(JSON.stringify(state));
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function decode(fragment: string): State | undefined {
  try {
    const bin = atob(fragment.replace(/-/g, '+').replace(/_/g, '/'));
    const state = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as State;
    return typeof state.pipeline === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

function currentState(): State {
  const gen: Record<string, string> = {};
  for (const [k, v] of new FormData(genForm)) gen[k] = String(v);
  return { pipeline: pipeline.value, executor: executor.value, gen };
}

function saveState(): void {
  history.replaceState(null, '', `#${encode(currentState())}`);
}

function loadState(): void {
  const state = location.hash.length > 1 ? decode(location.hash.slice(1)) : undefined;
  pipeline.value = state?.pipeline ?? EXAMPLE;
  executor.value = state?.executor ?? '';
  for (const [k, v] of Object.entries(state?.gen ?? {})) {
    const input = genForm.elements.namedItem(k);
    if (input instanceof HTMLInputElement || input instanceof HTMLSelectElement) input.value = v;
  }
}

// ---------------------------------------------------------------------------------------------
// Lint

let current: Finding[] = [];
/** The text that `current` was found in (the findings' positions and fixes are in it). */
let linted: string | undefined;
/** The lint that waits for a pause in typing. */
let pending: ReturnType<typeof setTimeout> | undefined;

function lintNow(): void {
  clearTimeout(pending);
  // A byte order mark (pasted, or in a shared link) is no part of the pipeline: the linter reads the text
  // without it, and the positions and fixes of its findings are in that text, which the page then shows.
  if (pipeline.value.charCodeAt(0) === 0xfeff) {
    // the caret or selection stays on the same characters
    const [start, end] = [pipeline.selectionStart, pipeline.selectionEnd];
    pipeline.value = pipeline.value.slice(1);
    pipeline.setSelectionRange(Math.max(0, start - 1), Math.max(0, end - 1));
  }
  const config: Config = defaultConfig();
  const options = { ...(executor.value ? { executor: executor.value as Executor } : {}) };
  let findings: Finding[] = [];
  let diagnostics: Diagnostic[] = [];
  try {
    const r = lintFile(FILE, config, options, pipeline.value);
    const suppressed = applySuppressions(r.findings, r.pipeline?.sources ?? new Map([[FILE, pipeline.value]]), METAS);
    findings = suppressed.findings.sort((a, b) => a.line - b.line || a.column - b.column || a.ruleId.localeCompare(b.ruleId));
    diagnostics = [...r.errors, ...r.notes, ...suppressed.unused];
  } catch (e) {
    diagnostics = [
      e instanceof InputError
        ? e.diagnostic
        : { severity: 'error', code: 'internal-error', message: `internal error: ${(e as Error).message}`, file: FILE, line: 1, column: 1 },
    ];
  }
  current = findings;
  linted = pipeline.value;
  render(findings, diagnostics);
  saveState();
}

function render(findings: Finding[], diagnostics: Diagnostic[]): void {
  const counts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  status.textContent = findings.length
    ? `${findings.length} finding${findings.length === 1 ? '' : 's'}: ${counts.error} error, ${counts.warning} warning, ${counts.info} info`
    : diagnostics.some((d) => d.severity === 'error')
      ? 'The pipeline cannot be read; see below.'
      : 'No findings.';
  findingsList.replaceChildren(
    ...findings.map((f, i) => {
      const frame = codeFrame(plain, pipeline.value, f).join('\n');
      const actions = el('div', { className: 'actions' });
      if (f.fix && fixEdits(f, f.fix)) {
        const b = el('button', { type: 'button', className: 'apply-fix' }, `Apply the fix for ${f.ruleId} at line ${f.line}`);
        b.addEventListener('click', () => applyFix(i, 'fix'));
        actions.append(b);
      }
      if (f.alternative && fixEdits(f, f.alternative)) {
        const b = el('button', { type: 'button', className: 'apply-alternative' }, `${f.alternative.title} (${f.ruleId} at line ${f.line})`);
        b.addEventListener('click', () => applyFix(i, 'alternative'));
        actions.append(b);
      }
      const read = el('button', { type: 'button', className: 'read-rule' }, `Read ${f.ruleId}`);
      read.addEventListener('click', () => showRule(f.ruleId, true));
      actions.append(read);
      const where = el('button', { type: 'button', className: 'go-to' }, `Go to ${f.line}:${f.column}`);
      where.addEventListener('click', () => selectRange(f));
      actions.append(where);
      return el(
        'li',
        { className: `finding ${f.severity}` },
        el('p', { className: 'head' }, el('span', { className: 'pos' }, `${f.line}:${f.column}`), ' ', el('span', { className: 'sev' }, f.severity), ' ', el('code', {}, `${f.ruleId}/${f.ruleName}`)),
        el('p', { className: 'message' }, ...withCode(f.message)),
        el('pre', { className: 'frame' }, frame),
        ...(f.jobs.length ? [el('p', { className: 'jobs' }, `jobs: ${f.jobs.join(', ')}`)] : []),
        ...(f.suggestion ? [el('p', { className: 'suggestion' }, 'suggestion: ', ...withCode(f.suggestion))] : []),
        actions,
      );
    }),
  );
  notesList.replaceChildren(
    ...diagnostics.map((d) => el('li', { className: `note ${d.severity}` }, `${d.line}:${d.column} ${d.severity} ${d.message} [${d.code}]`)),
  );
}

/** A message's `code` spans as code elements (the rest stays text). */
function withCode(text: string): Array<Node | string> {
  return text.split('`').map((part, i) => (i % 2 ? el('code', {}, part) : part));
}

/** The text's character offset of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  let at = 0;
  for (let l = 1; l < line; l++) {
    const nl = text.indexOf('\n', at);
    if (nl === -1) return text.length;
    at = nl + 1;
  }
  return Math.min(text.length, at + column - 1);
}

/**
 * Whether the findings shown are of an older text: one typed within the pause before the page lints.
 * Their positions and fixes are not in the text now, so the page lints it at once instead of acting on them.
 */
function stale(): boolean {
  if (pipeline.value === linted) return false;
  lintNow();
  return true;
}

function selectRange(f: Finding): void {
  if (stale()) return;
  pipeline.focus();
  pipeline.setSelectionRange(offsetOf(pipeline.value, f.line, f.column), offsetOf(pipeline.value, f.endLine, f.endColumn));
}

/**
 * A finding's fix as edits of the page's file, with the library or the job guard added once when the
 * fix needs it (as `--fix` does); undefined when it cannot be applied here.
 */
function fixEdits(f: Finding, fix: Fix): TextEdit[] | undefined {
  if (f.file !== FILE || !fix.edits.every((e) => e.file === FILE)) return undefined;
  return withSupport(FILE, pipeline.value, fix, undefined);
}

function applyFix(index: number, which: 'fix' | 'alternative'): void {
  if (stale()) return;
  const f = current[index];
  const fix = f?.[which];
  if (!f || !fix) return;
  const edits = fixEdits(f, fix);
  if (!edits) return;
  let text = pipeline.value;
  for (const { range: [start, end], text: t } of edits.sort((a, b) => b.range[0] - a.range[0])) text = text.slice(0, start) + t + text.slice(end);
  pipeline.value = text;
  lintNow();
  status.textContent = `Applied the fix for ${f.ruleId}. ${status.textContent}`;
  findingsList.querySelector<HTMLButtonElement>('button')?.focus();
}

// ---------------------------------------------------------------------------------------------
// Rule docs

function showRule(id: string, focus = false): void {
  ruleSelect.value = id;
  const doc = (ruleDocs as Record<string, string>)[id];
  ruleDoc.innerHTML = doc ? markdown(doc, id) : '';
  if (focus) ruleDoc.focus();
}

// ---------------------------------------------------------------------------------------------
// Generator

function generateNow(): void {
  const data = Object.fromEntries([...new FormData(genForm)].map(([k, v]) => [k, String(v).trim()]));
  genError.textContent = '';
  try {
    const service = {
      name: data.name ?? '',
      command: data.command ?? '',
      ...(data.ready ? { ready: data.ready } : {}),
    };
    const format = (data.format || 'job') as GenFormat;
    // The guard takes no services: it covers whatever the job starts.
    genOut.textContent = generate({ services: format === 'guard' ? [] : [service] }, { format, shell: (data.shell || 'bash') as GenShell });
  } catch (e) {
    genOut.textContent = '';
    genError.textContent = e instanceof InputError ? e.diagnostic.message : (e as Error).message;
  }
  saveState();
}

// ---------------------------------------------------------------------------------------------

async function start(): Promise<void> {
  for (const f of GEN_FORMATS) genFormat.append(el('option', { value: f, selected: f === 'job' }, f));
  for (const r of RULES) ruleSelect.append(el('option', { value: r.meta.id }, `${r.meta.id} ${r.meta.name}`));
  loadState();
  showRule(ruleSelect.value || RULES[0]!.meta.id);
  ruleSelect.addEventListener('change', () => showRule(ruleSelect.value));
  genForm.addEventListener('submit', (e) => {
    e.preventDefault();
    generateNow();
  });
  $('load-example').addEventListener('click', () => {
    pipeline.value = EXAMPLE;
    lintNow();
  });
  $('share').addEventListener('click', () => {
    saveState();
    void navigator.clipboard?.writeText(location.href).catch(() => undefined);
    status.textContent = 'The link in the address bar holds this pipeline and form.';
  });
  status.textContent = 'Loading the bash parser…';
  await initShellParser();
  pipeline.addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(lintNow, 150);
  });
  executor.addEventListener('change', lintNow);
  lintNow();
  document.body.dataset.ready = 'true';
}

start().catch((e: unknown) => {
  status.textContent = `The playground could not start: ${(e as Error).message}`;
});
