// The language server's part of the benchmark: how long after an edit of a big pipeline its
// diagnostics arrive. `ci-bgsafe lsp` runs as an editor runs it (a process, JSON-RPC over its standard
// input and output); the pipeline is bench/generate.mjs's, open in the "editor"; each edit adds a job
// with a background process at the end of the open .gitlab-ci.yml, and the time runs from the change
// sent to the diagnostics of that version received. The debounce is set to 0 (an editor waits 200 ms
// more by default), so what is measured is the lint of the whole pipeline from the editor's text.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection, DidChangeTextDocumentNotification, DidOpenTextDocumentNotification, ExitNotification,
  InitializedNotification, InitializeRequest, PublishDiagnosticsNotification, ShutdownRequest, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { writePipeline } from './generate.mjs';

/** Times `reps` edits of a `jobs`-job pipeline in `dir`; gives the open's and each edit's milliseconds. */
export async function benchLsp({ cli, dir, jobs = 500, reps = 7 }) {
  mkdirSync(join(dir, '.git'), { recursive: true });
  const file = writePipeline(dir, jobs);
  const uri = pathToFileURL(file).href;
  const text = readFileSync(file, 'utf8');
  const child = spawn(process.execPath, [cli, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let waiting;
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    if (waiting && p.uri === uri && p.version === waiting.version) waiting.resolve(p.diagnostics.length);
  });
  connection.listen();
  const published = (version) => new Promise((resolve) => (waiting = { version, resolve }));
  try {
    await connection.sendRequest(InitializeRequest.type, { processId: process.pid, rootUri: pathToFileURL(dir).href, capabilities: {}, initializationOptions: { debounceMs: 0 } });
    await connection.sendNotification(InitializedNotification.type, {});
    let t = performance.now();
    let done = published(1);
    await connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version: 1, text } });
    const diagnostics = await done;
    const open = performance.now() - t;
    const edits = [];
    for (let v = 2; v < reps + 2; v++) {
      const edited = `${text}\nbench-edit:\n  tags: [shell]\n  script:\n    - ./server-${v} &\n`;
      done = published(v);
      t = performance.now();
      await connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version: v }, contentChanges: [{ text: edited }] });
      await done;
      edits.push(performance.now() - t);
    }
    await connection.sendRequest(ShutdownRequest.type);
    await connection.sendNotification(ExitNotification.type);
    return { jobs, open, edits, diagnostics };
  } finally {
    connection.dispose();
    child.kill();
  }
}
