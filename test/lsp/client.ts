/**
 * A real LSP client for the tests: runs `ci-bgsafe lsp --stdio` (the built CLI) and talks JSON-RPC to it
 * over its standard input and output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  DidChangeTextDocumentNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
} from 'vscode-languageserver-protocol/node';

export const BIN = fileURLToPath(new URL('../../bin/ci-bgsafe.cjs', import.meta.url));

export interface Client {
  connection: ProtocolConnection;
  child: ChildProcess;
  stderr: () => string;
  /** The latest diagnostics published for a URI. */
  latest: Map<string, Diagnostic[]>;
  /** Every publication from now on. */
  onPublish(listener: (p: PublishDiagnosticsParams) => void): void;
  /** Resolves with the first diagnostics for `uri` (published from now on) that satisfy `ok`. */
  diagnostics(uri: string, ok?: (d: Diagnostic[]) => boolean, timeoutMs?: number): Promise<Diagnostic[]>;
  open(uri: string, text: string, version?: number): void;
  change(uri: string, text: string, version: number): void;
  close(uri: string): void;
  /** Shuts the server down as an editor does; resolves with its exit code. */
  stop(): Promise<number | null>;
}

export const uriOf = (path: string): string => pathToFileURL(path).href;

export async function startClient(rootPath: string, initializationOptions: Record<string, unknown> = { debounceMs: 50 }): Promise<Client> {
  const child = spawn(process.execPath, [BIN, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
  const latest = new Map<string, Diagnostic[]>();
  const waiters: Array<{ uri: string; ok: (d: Diagnostic[]) => boolean; resolve: (d: Diagnostic[]) => void }> = [];
  const listeners: Array<(p: PublishDiagnosticsParams) => void> = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p: PublishDiagnosticsParams) => {
    latest.set(p.uri, p.diagnostics);
    for (const l of listeners) l(p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.ok(p.diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p.diagnostics);
      }
    }
  });
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: uriOf(rootPath),
    capabilities: { textDocument: { publishDiagnostics: { relatedInformation: true, codeDescriptionSupport: true } } },
    workspaceFolders: [{ uri: uriOf(rootPath), name: 'root' }],
    initializationOptions,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  return {
    connection,
    child,
    stderr: () => stderr,
    latest,
    onPublish: (l) => void listeners.push(l),
    diagnostics(uri, ok = () => true, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no diagnostics for ${uri} as expected within ${timeoutMs} ms; last: ${JSON.stringify(latest.get(uri))}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({ uri, ok, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      });
    },
    open(uri, text, version = 1) {
      void connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'yaml', version, text } });
    },
    change(uri, text, version) {
      void connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges: [{ text }] });
    },
    close(uri) {
      void connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
    },
    async stop() {
      await connection.sendRequest(ShutdownRequest.type);
      await connection.sendNotification(ExitNotification.type);
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
}
