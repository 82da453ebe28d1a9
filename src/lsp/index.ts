/** The language server's process entry: LSP over standard input and output. */
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server.js';

/**
 * Serves until the client exits or closes the pipe; the connection then ends the process (exit code 0
 * after a `shutdown` request, 1 without one, as the protocol asks).
 */
export function runLanguageServer(): Promise<never> {
  // Standard output carries the protocol: anything else goes to standard error, and an error the server
  // did not catch is reported there rather than ending the editor's diagnostics.
  process.on('uncaughtException', (e) => process.stderr.write(`ci-bgsafe lsp: ${e?.stack ?? String(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`ci-bgsafe lsp: ${(e as Error)?.stack ?? String(e)}\n`));
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  startServer(connection);
  return new Promise<never>(() => undefined);
}
