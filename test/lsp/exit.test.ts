/**
 * How `ci-bgsafe lsp` ends, seen by a JSON-RPC client over its standard input and output: exit code 0
 * after `shutdown` (then `exit`, or the client closing the pipe), 1 without it, as the protocol asks; never
 * a hang or a message on standard error. A client that writes everything and closes the pipe at once is
 * the hard case: the end of input comes with messages still being read.
 */
import { spawn } from 'node:child_process';
import { StreamMessageReader, StreamMessageWriter, type Message, type ResponseMessage } from 'vscode-languageserver-protocol/node';
import { describe, expect, it } from 'vitest';
import { BIN } from './client.js';

const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } };
const initialized = { jsonrpc: '2.0', method: 'initialized', params: {} };
const shutdown = { jsonrpc: '2.0', id: 2, method: 'shutdown' };
const exit = { jsonrpc: '2.0', method: 'exit' };

/** Runs the server, writes `messages`, closes its input when `close`; resolves when it has ended. */
async function session(args: string[], messages: Message[], close: boolean): Promise<{ code: number | null; responses: ResponseMessage[]; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const responses: ResponseMessage[] = [];
  new StreamMessageReader(child.stdout).listen((m) => {
    if ('id' in m && !('method' in m)) responses.push(m as ResponseMessage);
  });
  const ended = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const writer = new StreamMessageWriter(child.stdin);
  for (const m of messages) await writer.write(m);
  if (close) child.stdin.end();
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await ended;
  clearTimeout(timeout);
  return { code, responses, stderr };
}

describe('ci-bgsafe lsp ends as the protocol says', { timeout: 120_000 }, () => {
  for (const args of [['lsp'], ['lsp', '--stdio']]) {
    it(`${args.join(' ')}: shutdown, exit and the pipe closed at once: exit code 0 (5 runs)`, async () => {
      for (let i = 0; i < 5; i++) {
        const r = await session(args, [initialize, initialized, shutdown, exit], true);
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.responses[0]).toMatchObject({ id: 1, result: { capabilities: { textDocumentSync: expect.anything() } } });
      }
    });
  }

  it('shutdown, then the pipe closed without exit: exit code 0, the shutdown answered', async () => {
    const r = await session(['lsp'], [initialize, initialized, shutdown], true);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.responses.map((m) => [m.id, m.result])).toEqual([[1, expect.anything()], [2, null]]);
  });

  it('the pipe closed without shutdown: it ends, with exit code 1', async () => {
    const r = await session(['lsp'], [initialize, initialized], true);
    expect(r).toMatchObject({ code: 1, stderr: '' });
  });

  it('exit without shutdown, the pipe still open: exit code 1', async () => {
    const r = await session(['lsp'], [initialize, initialized, exit], false);
    expect(r).toMatchObject({ code: 1, stderr: '' });
  });
});
