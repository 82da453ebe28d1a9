import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DidChangeTextDocumentNotification, HoverRequest, CodeActionRequest, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startClient, uriOf, type Client } from './client.js';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = [
  join(ROOT, 'examples', 'vpn-deploy', '.gitlab-ci.yml'),
  ...readdirSync(join(ROOT, 'test', 'fixtures', 'lint')).map((n) => join(ROOT, 'test', 'fixtures', 'lint', n)),
].map((f) => readFileSync(f, 'utf8'));

/** Pieces of YAML and shell that break a pipeline in the ways typing does: half an anchor, a quote, a heredoc … */
const PIECES = [
  '&', '|', '>', '\n', '  - ', '- ', '"', "'", '\\', 'trap ', 'cleanup EXIT', ' ERR', '${', '}', '$(', ')', '<<EOF\n', '\nEOF\n',
  ': ', '*a', '&a ', '!reference [', ']', '[', '\t', '# ', 'kill $!', 'include:\n  - local: x.yml\n', 'extends: .t', '<<: *a',
  'script:', 'after_script:', 'set -E', 'nohup ', ' &\n', 'wait', '---\n', '\u00e9', '\ud83d\ude00', '\r\n', 'spec:\n  inputs:\n',
];

const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  remove: fc.nat(30),
  insert: fc.array(fc.constantFrom(...PIECES), { maxLength: 4 }).map((a) => a.join('')),
});

describe('ci-bgsafe lsp on random edits of real pipelines', () => {
  let dir: string;
  let client: Client;
  /** The last publication for each URI. */
  const last = new Map<string, PublishDiagnosticsParams>();
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ci-bgsafe-lsp-fuzz-'));
    mkdirSync(join(dir, '.git'));
    client = await startClient(dir, { debounceMs: 10 });
    client.onPublish((p) => void last.set(p.uri, p));
  });
  afterAll(async () => {
    expect(await client.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps answering, with diagnostics for the last text and never an internal error', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...FIXTURES.keys()), fc.array(edit, { minLength: 1, maxLength: 12 }), async (which, edits) => {
        run++;
        const path = join(dir, `p${run}`, '.gitlab-ci.yml');
        const uri = uriOf(path);
        let doc = TextDocument.create(uri, 'yaml', 1, FIXTURES[which]!);
        client.open(uri, doc.getText());
        for (const e of edits) {
          // an edit as an editor sends it: a range of the current text and what replaces it
          const start = Math.floor(e.at * doc.getText().length);
          const range = { start: doc.positionAt(start), end: doc.positionAt(start + e.remove) };
          doc = TextDocument.update(doc, [{ range, text: e.insert }], doc.version + 1);
          void client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
            textDocument: { uri, version: doc.version },
            contentChanges: [{ range, text: e.insert }],
          });
        }
        const final = doc.version;
        const mid = doc.positionAt(Math.floor(doc.getText().length / 2));
        // requests are answered (a hover, code actions over the whole text), whatever the text is now
        await client.connection.sendRequest(HoverRequest.type, { textDocument: { uri }, position: mid });
        await client.connection.sendRequest(CodeActionRequest.type, {
          textDocument: { uri },
          range: { start: { line: 0, character: 0 }, end: doc.positionAt(doc.getText().length) },
          context: { diagnostics: [] },
        });
        // Before it answers, the server lints the text that waits for its pause, and publishes what it
        // found there ahead of the answer (one stream, in order). Nothing new is published only when it
        // found nothing, as it had before.
        const p = last.get(uri);
        if (p?.version !== final) expect(p?.diagnostics ?? [], `published for version ${p?.version}, not ${final}`).toEqual([]);
        expect((p?.diagnostics ?? []).filter((d) => d.code === 'internal-error')).toEqual([]);
        client.close(uri);
      }),
      { numRuns: 40 },
    );
    expect(client.child.exitCode).toBeNull();
    expect(client.stderr()).toBe('');
  });
});
