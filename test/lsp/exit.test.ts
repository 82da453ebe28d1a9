/**
 * How `ci-bgsafe lsp` ends, seen by a JSON-RPC client over its standard input and output: exit code 0
 * after `shutdown` (then `exit`, or the client closing the pipe), 1 without it, as the protocol asks; never
 * a hang or a message on standard error. A client that writes everything and closes the pipe at once is
 * the hard case: the end of input comes with messages still being read.
 */
import { spawn } from 'node:child_process';
import { StreamMessageWriter, type Message, type ResponseMessage } from 'vscode-languageserver-protocol/node';
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
  const stdout: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => void stdout.push(c));
  // 'close', not 'exit': the process may have exited before its last answers were read from the pipe
  const ended = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  const writer = new StreamMessageWriter(child.stdin);
  for (const m of messages) await writer.write(m);
  if (close) child.stdin.end();
  const timeout = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await ended;
  clearTimeout(timeout);
  // everything it wrote has been read now
  const responses = framed(Buffer.concat(stdout)).filter((m): m is ResponseMessage => 'id' in m && !('method' in m));
  return { code, responses, stderr };
}

/** The messages of a JSON-RPC stream, each framed by its Content-Length header; nothing may follow the last. */
function framed(out: Buffer): Message[] {
  const found: Message[] = [];
  while (out.length > 0) {
    const header = /^Content-Length: (\d+)\r\n\r\n/.exec(out.toString('latin1', 0, 64));
    expect(header, `not a message: ${out.toString()}`).not.toBeNull();
    const end = header![0].length + Number(header![1]);
    found.push(JSON.parse(out.toString('utf8', header![0].length, end)) as Message);
    out = out.subarray(end);
  }
  return found;
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
