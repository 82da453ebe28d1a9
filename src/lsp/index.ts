/** The language server's process entry: LSP over standard input and output. */
import { PassThrough } from 'node:stream';
import { createConnection, ProposedFeatures, StreamMessageReader, StreamMessageWriter, type Message } from 'vscode-languageserver/node';
import { startServer } from './server.js';

/** The notification that stands for the end of standard input, after the client's last message. */
const INPUT_ENDED = 'ci-bgsafe/inputEnded';

/** Writes messages to standard output, and knows when all those given so far are written. */
class Output extends StreamMessageWriter {
  #written: Promise<unknown> = Promise.resolve();
  override write(message: Message): Promise<void> {
    const p = super.write(message);
    this.#written = Promise.allSettled([this.#written, p]);
    return p;
  }
  /** Resolves when every message given so far is written (or failed to be). */
  written(): Promise<unknown> {
    return this.#written;
  }
}

/**
 * Serves until the client exits or closes standard input: exit code 0 after a `shutdown` request, 1
 * without one, as the protocol asks of `exit`.
 *
 * The end of standard input is passed on as one more message, after the client's own (which are decoded
 * asynchronously): a client that writes `shutdown` and `exit` and closes the pipe at once gets its
 * shutdown, where ending the process on the stream's end, as the protocol library does when given the
 * stream itself, could come before the shutdown was read and exit with 1.
 */
export function runLanguageServer(): Promise<never> {
  // Standard output carries the protocol: anything else goes to standard error, and an error the server
  // did not catch is reported there rather than ending the editor's diagnostics.
  process.on('uncaughtException', (e) => process.stderr.write(`ci-bgsafe lsp: ${e?.stack ?? String(e)}\n`));
  process.on('unhandledRejection', (e) => process.stderr.write(`ci-bgsafe lsp: ${(e as Error)?.stack ?? String(e)}\n`));
  const input = new PassThrough();
  process.stdin.pipe(input, { end: false });
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    const body = JSON.stringify({ jsonrpc: '2.0', method: INPUT_ENDED });
    input.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };
  process.stdin.on('end', end);
  process.stdin.on('close', end);
  process.stdin.on('error', end);
  const output = new Output(process.stdout);
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(input), output);
  let shutdown = false;
  connection.onShutdown(() => {
    shutdown = true;
  });
  // the answers already given (to `shutdown`, say) are written before the process ends
  connection.onNotification(INPUT_ENDED, () => void output.written().then(() => process.exit(shutdown ? 0 : 1)));
  startServer(connection);
  return new Promise<never>(() => undefined);
}
