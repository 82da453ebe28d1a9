import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CodeActionRequest, HoverRequest, type CodeAction, type Diagnostic, type Hover, type MarkupContent } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startClient, uriOf, type Client } from './client.js';

const VPN = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'vpn-deploy', '.gitlab-ci.yml'), 'utf8');

/** `rule@line:column` (1-based, as the CLI prints them) of each diagnostic with a rule id. */
const where = (ds: Diagnostic[]): string[] =>
  ds.filter((d) => /^BG\d+$/.test(String(d.code))).map((d) => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}`).sort();

const hasRule = (id: string) => (ds: Diagnostic[]) => ds.some((d) => d.code === id);

/** Every file below `dir` with its size and modification time: what a server that writes nothing leaves alone. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = statSync(p);
      if (st.isDirectory()) walk(p);
      else out.push(`${p} ${st.size} ${st.mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

function applyEdits(text: string, action: CodeAction, uri: string): string {
  const edits = action.edit?.changes?.[uri] ?? [];
  return TextDocument.applyEdits(TextDocument.create(uri, 'yaml', 1, text), edits);
}

describe('ci-bgsafe lsp', () => {
  let dir: string;
  let client: Client | undefined;
  const clients: Client[] = [];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lsp-'));
    mkdirSync(join(dir, '.git'));
  });
  afterEach(async () => {
    if (client) expect(await client.stop()).toBe(0);
    client = undefined;
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => {
    for (const c of clients) c.child.kill();
  });
  const start = async (opts?: Record<string, unknown>): Promise<Client> => {
    client = await startClient(dir, opts);
    clients.push(client);
    return client;
  };

  it("reports the seed blog's job on open, from the editor's text, with severity, code, doc link and the jobs", async () => {
    const c = await start();
    const file = join(dir, '.gitlab-ci.yml');
    const uri = uriOf(file);
    // not on disk at all: the editor's text is what is linted
    c.open(uri, VPN);
    const ds = await c.diagnostics(uri, (d) => d.length > 0);
    expect(where(ds)).toEqual(['BG004@16:7', 'BG005@9:7', 'BG009@9:7', 'BG010@13:9', 'BG010@18:7', 'BG012@9:82', 'BG014@9:7']);
    const bg004 = ds.find((d) => d.code === 'BG004')!;
    expect(bg004.severity).toBe(2);
    expect(bg004.source).toBe('ci-bgsafe');
    expect(bg004.range).toEqual({ start: { line: 15, character: 6 }, end: { line: 15, character: 30 } });
    expect(bg004.codeDescription?.href).toMatch(/\/docs\/rules\/BG004\.md$/);
    expect(bg004.message).toContain('neither EXIT nor TERM');
    expect(bg004.relatedInformation).toEqual([
      { location: { uri, range: { start: { line: 4, character: 0 }, end: { line: 4, character: 6 } } }, message: 'run by job deploy' },
    ]);
    expect(ds.find((d) => d.code === 'BG012')!.severity).toBe(3);
  });

  it('lints unsaved changes after a pause, for the last text only, and never writes a file', async () => {
    const file = join(dir, '.gitlab-ci.yml');
    writeFileSync(file, VPN);
    const before = snapshot(dir);
    const c = await start({ debounceMs: 400 });
    const uri = uriOf(file);
    c.open(uri, VPN);
    await c.diagnostics(uri, hasRule('BG004'));
    const published: Array<number | undefined> = [];
    c.onPublish((p) => void published.push(p.version));
    // typing: five versions sent at once; only the last is linted
    const fixed = VPN.replace('trap cleanup 1 2 3 6 ERR;', 'trap cleanup EXIT;');
    for (let v = 2; v <= 6; v++) c.change(uri, v < 6 ? VPN.replace('ERR;', `ERR; # ${v}`) : fixed, v);
    const ds = await c.diagnostics(uri, (d) => !d.some((x) => x.code === 'BG004'));
    expect(published).toEqual([6]);
    expect(where(ds)).not.toContain('BG004@16:7');
    expect(snapshot(dir)).toEqual(before);
  });

  it('offers each fix as a quick fix, and "disable for this line" with a reason to fill in', async () => {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    c.open(uri, VPN);
    const ds = await c.diagnostics(uri, hasRule('BG009'));
    const actionsFor = async (d: Diagnostic): Promise<CodeAction[]> =>
      (await c.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    const actions = await actionsFor(ds.find((d) => d.code === 'BG009')!);
    const titles = actions.map((a) => a.title);
    expect(titles).toContain('Send its output to a log file (BG009)');
    expect(titles).toContain('Disable BG009 for this line (give the reason after --)');
    // BG005's finding is on the same statement: its disable action is offered there too; sudo has no safe fix
    expect(titles).toContain('Disable BG005 for this line (give the reason after --)');
    expect(titles.some((t) => t.includes('ci_bgsafe_start'))).toBe(false);

    const fix = actions.find((a) => a.title.startsWith('Send its output'))!;
    expect(fix.kind).toBe('quickfix');
    const fixedText = applyEdits(VPN, fix, uri);
    expect(fixedText.split('\n')[8]).toContain('>"${CI_PROJECT_DIR:-.}/.ci-bgsafe/openfortivpn.log" 2>&1 & sleep 5');
    c.change(uri, fixedText, 2);
    const after = await c.diagnostics(uri, (d) => !d.some((x) => x.code === 'BG009'));
    expect(where(after)).toContain('BG005@9:51');

    const disable = actions.find((a) => a.title === 'Disable BG005 for this line (give the reason after --)')!;
    const disabled = applyEdits(VPN, disable, uri);
    expect(disabled.split('\n')[8]).toBe('    # ci-bgsafe-disable-next-line BG005 -- reason');
    c.change(uri, disabled, 3);
    const quiet = await c.diagnostics(uri, (d) => !d.some((x) => x.code === 'BG005'));
    // the other rules on that line still report
    expect(where(quiet)).toContain('BG009@10:7');
  });

  /** The quick fixes of the BG001 finding of a job that starts `./server` in the background. */
  async function serverJobActions() {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    const text = 'job:\n  tags: [shell]\n  script:\n    - ./server --port 8080 &\n    - ./test.sh\n';
    c.open(uri, text);
    const ds = await c.diagnostics(uri, hasRule('BG001'));
    const d = ds.find((x) => x.code === 'BG001')!;
    const actions = (await c.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    return { c, uri, text, actions };
  }

  it('offers ci_bgsafe_start as the quick fix of an unmanaged background process', async () => {
    const { c, uri, text, actions } = await serverJobActions();
    const fix = actions.find((a) => a.title === 'Start it with ci_bgsafe_start, which always stops it (BG001)')!;
    expect(fix.isPreferred).toBe(true);
    const fixed = applyEdits(text, fix, uri);
    expect(fixed).toContain('    - !reference [.ci-bgsafe, before_script]\n    - ci_bgsafe_start server -- ./server --port 8080\n');
    // The library comes with the fix, once, as the hidden job at the end of the file.
    expect(fixed.match(/^\.ci-bgsafe:\n {2}before_script:\n {4}- \|\n {6}# ci-bgsafe /gm)?.length).toBe(1);
    c.change(uri, fixed, 2);
    const after = await c.diagnostics(uri, (x) => x.length === 0 || !x.some((y) => y.code === 'BG001'));
    expect(after.filter((x) => /^BG/.test(String(x.code)) && x.severity === 1)).toEqual([]);
  });

  it('offers the job guard as a second quick fix: the guard first in the job, its hidden job added once', async () => {
    const { c, uri, text, actions } = await serverJobActions();
    const guard = actions.find((a) => a.title === 'Run the job guard first: it stops whatever the job leaves running (BG001)')!;
    expect(guard.isPreferred).toBe(false);
    const fixed = applyEdits(text, guard, uri);
    expect(fixed).toContain('  script:\n    - !reference [.ci-bgsafe-guard, before_script]\n    - ./server --port 8080 &\n');
    expect(fixed.match(/^\.ci-bgsafe-guard:\n {2}before_script:\n {4}- \|\n/gm)?.length).toBe(1);
    c.change(uri, fixed, 2);
    // BG001 is now an info that the guard stops the server, and BG009 is gone.
    const after = await c.diagnostics(uri, (x) => x.some((y) => y.code === 'BG001' && y.severity === 3));
    expect(after.filter((x) => /^BG/.test(String(x.code))).map((x) => `${x.code}:${x.severity}`)).toEqual(['BG001:3']);
  });

  it('disables a line inside a | block with a shell comment above it, and offers nothing inside a > block', async () => {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    const text = ['job:', '  tags: [shell]', '  script:', '    - |', '      echo start', '      ./server &', '    - >', '      ./other', '      --flag &', ''].join('\n');
    c.open(uri, text);
    const ds = await c.diagnostics(uri, (d) => d.filter((x) => x.code === 'BG001').length === 2);
    const titlesAt = async (line: number): Promise<CodeAction[]> => {
      const d = ds.find((x) => x.code === 'BG001' && x.range.start.line === line)!;
      return (await c.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    };
    // the folded block's finding (line 8, 0-based 7), asked about while the document is the text it was found in
    const folded = await titlesAt(7);
    expect(folded.map((a) => a.title)).toContain('Run the job guard first: it stops whatever the job leaves running (BG001)');
    expect(folded.filter((a) => a.title.startsWith('Disable'))).toEqual([]);
    const inLiteral = (await titlesAt(5)).find((a) => a.title.startsWith('Disable'))!;
    const edited = applyEdits(text, inLiteral, uri);
    expect(edited.split('\n').slice(3, 7)).toEqual(['    - |', '      echo start', '      # ci-bgsafe-disable-next-line BG001 -- reason', '      ./server &']);
    c.change(uri, edited, 2);
    const after = await c.diagnostics(uri, (d) => d.filter((x) => x.code === 'BG001').length === 1);
    // the folded block's finding is now on line 9
    expect(where(after).filter((w) => w.startsWith('BG001'))).toEqual(['BG001@9:7']);
  });

  it('shows the rule, its summary and what to do on hover over a finding', async () => {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    c.open(uri, VPN);
    await c.diagnostics(uri, hasRule('BG004'));
    const hover = (await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 15, character: 12 } })) as Hover;
    const md = (hover.contents as MarkupContent).value;
    expect(md).toContain('**BG004 trap-misses-cancel**');
    expect(md).toContain('**What to do:**');
    expect(md).toContain('EXIT');
    expect(md).toMatch(/\(https:\/\/\S+\/docs\/rules\/BG004\.md\)/);
    const none = await c.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: { line: 0, character: 1 } });
    expect(none).toBeNull();
  });

  it('lints an included file as part of the pipeline, and again when the included file changes unsaved', async () => {
    mkdirSync(join(dir, 'ci'));
    writeFileSync(join(dir, '.gitlab-ci.yml'), 'include:\n  - local: ci/deploy.yml\nvariables:\n  A: "1"\n');
    const deploy = join(dir, 'ci', 'deploy.yml');
    writeFileSync(deploy, 'deploy:\n  tags: [shell]\n  script:\n    - ./deploy.sh\n');
    const c = await start();
    const rootUri = uriOf(join(dir, '.gitlab-ci.yml'));
    const deployUri = uriOf(deploy);
    // only the included file is open: the repository's pipeline is read from disk to lint it
    c.open(deployUri, readFileSync(deploy, 'utf8'));
    c.change(deployUri, 'deploy:\n  tags: [shell]\n  script:\n    - ./tunnel &\n    - ./deploy.sh\n', 2);
    const ds = await c.diagnostics(deployUri, hasRule('BG001'));
    expect(where(ds)).toContain('BG001@4:7');
    expect(ds.find((d) => d.code === 'BG001')!.relatedInformation![0]!.location.uri).toBe(deployUri);
    // the pipeline open too, then the included file fixed without saving
    c.open(rootUri, readFileSync(join(dir, '.gitlab-ci.yml'), 'utf8'));
    c.change(deployUri, 'deploy:\n  tags: [shell]\n  script:\n    - ./deploy.sh\n', 3);
    await c.diagnostics(deployUri, (d) => !d.some((x) => x.code === 'BG001'));
  });

  it('reads .ci-bgsafe.yml, picks up its changes, and reports an invalid one', async () => {
    const config = join(dir, '.ci-bgsafe.yml');
    writeFileSync(config, 'rules:\n  BG004: off\n');
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    c.open(uri, VPN);
    const ds = await c.diagnostics(uri, hasRule('BG005'));
    expect(ds.some((d) => d.code === 'BG004')).toBe(false);
    // edited in the editor (unsaved): BG004 as an error
    c.open(uriOf(config), 'rules:\n  BG004: off\n');
    c.change(uriOf(config), 'rules:\n  trap-misses-cancel: error\n', 2);
    const strict = await c.diagnostics(uri, hasRule('BG004'));
    expect(strict.find((d) => d.code === 'BG004')!.severity).toBe(1);
    c.change(uriOf(config), 'rules:\n  BG999: off\n', 3);
    const bad = await c.diagnostics(uri, (d) => d.some((x) => x.code === 'config-invalid'));
    expect(bad.find((d) => d.code === 'config-invalid')!.message).toMatch(/^\.ci-bgsafe\.yml is not valid \(2:3: /);
    const onConfig = await c.diagnostics(uriOf(config), (d) => d.length > 0);
    expect(onConfig[0]!.range.start).toEqual({ line: 1, character: 2 });
  });

  it('answers bad YAML with a diagnostic at its line and goes on', async () => {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    c.open(uri, 'job:\n  script:\n    - echo "unterminated\n  tags: [\n');
    const ds = await c.diagnostics(uri, (d) => d.length > 0);
    expect(ds[0]!.severity).toBe(1);
    expect(ds[0]!.source).toBe('ci-bgsafe');
    c.change(uri, VPN, 2);
    await c.diagnostics(uri, hasRule('BG004'));
    // closing the document clears what was published for it
    c.close(uri);
    await c.diagnostics(uri, (d) => d.length === 0);
  });

  it('places ranges and quick fixes right in a document that starts with a byte order mark', async () => {
    const c = await start();
    const uri = uriOf(join(dir, '.gitlab-ci.yml'));
    // the mark is the document's first character: a finding on line 1 starts one character later
    const text = "\uFEFFjob: {tags: [shell], script: ['./server &']}\n";
    c.open(uri, text);
    const ds = await c.diagnostics(uri, hasRule('BG001'));
    const d = ds.find((x) => x.code === 'BG001')!;
    const doc = TextDocument.create(uri, 'yaml', 1, text);
    expect(doc.getText(d.range)).toBe('./server &');
    const actions = (await c.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } })) as CodeAction[];
    const disable = actions.find((a) => a.title.startsWith('Disable BG001'))!;
    // the comment goes after the mark, above the job
    expect(applyEdits(text, disable, uri)).toBe(`\uFEFF# ci-bgsafe-disable-next-line BG001 -- reason\n${text.slice(1)}`);
    const fix = actions.find((a) => a.title.endsWith('(BG009)'))!;
    const fixed = applyEdits(text, fix, uri);
    expect(fixed).toBe(text.replace("'./server &'", `'mkdir -p "\${CI_PROJECT_DIR:-.}/.ci-bgsafe"; ./server >"\${CI_PROJECT_DIR:-.}/.ci-bgsafe/server.log" 2>&1 &'`));
    c.change(uri, fixed, 2);
    await c.diagnostics(uri, (x) => !x.some((y) => y.code === 'BG009'));
    // an input error on line 1 too
    c.change(uri, '\uFEFFjob: ]\n', 3);
    const bad = await c.diagnostics(uri, (x) => x.some((y) => y.severity === 1));
    expect(bad[0]!.range.start).toEqual({ line: 0, character: 6 });
  });

  it('does not lint YAML files that are no GitLab CI/CD files and no pipeline includes', async () => {
    const c = await start();
    const other = uriOf(join(dir, 'docker-compose.yml'));
    const ci = uriOf(join(dir, '.gitlab-ci.yml'));
    c.open(other, 'job:\n  script:\n    - ./server &\n');
    c.open(ci, VPN);
    await c.diagnostics(ci, hasRule('BG004'));
    expect(c.latest.has(other)).toBe(false);
  });
});
