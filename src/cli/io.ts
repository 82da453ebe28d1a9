/** What the CLI talks to: injected so the whole CLI runs in-process in tests. */
export interface CliIO {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Reads all of standard input. */
  readStdin(): Promise<string>;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Whether standard output is a terminal (colours are used only then, and never with NO_COLOR). */
  isTTY: boolean;
}

/** Documented exit codes. */
export const EXIT = {
  /** No findings at or above the failing severity. */
  OK: 0,
  /** Findings at or above the failing severity (or more warnings than --max-warnings). */
  FINDINGS: 1,
  /** Usage or input error: bad option, unreadable file, invalid YAML, bad config. */
  USAGE: 2,
  /** Internal error: a bug in ci-bgsafe. */
  INTERNAL: 3,
} as const;

/**
 * `text` cut into pieces of at most `size` UTF-16 units, never between the two halves of a surrogate
 * pair (a half written alone would reach the file as U+FFFD). Large reports are written piece by piece.
 */
export function* pieces(text: string, size = 1 << 16): Generator<string> {
  if (text.length <= size) {
    if (text) yield text;
    return;
  }
  for (let i = 0; i < text.length; ) {
    let end = Math.min(i + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && end - i > 1 && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(i, end);
    i = end;
  }
}

/**
 * Standard output or error as the CLI writes them: straight to the file descriptor, with no stream.
 * Building `process.stdout` or `process.stderr` loads Node's stream modules (and, for a pipe, its
 * socket modules): several milliseconds of every run, for a report that is one synchronous write.
 */
export interface Sink {
  fd: number;
  /** Node's stream for the same descriptor, built only if the descriptor would block (see `writeTo`). */
  stream: () => NodeJS.WritableStream;
  /** The reader has gone (EPIPE) or a write failed: nothing more is written. */
  closed: boolean;
  /** The stream writes from now on. */
  viaStream: boolean;
}

export interface WriteDeps {
  writeSync: (fd: number, data: string | Uint8Array, offset?: number) => number;
  /** A write failed for a reason other than a reader that has gone. */
  onError: (sink: Sink, e: NodeJS.ErrnoException) => void;
}

/**
 * Writes `text` to `sink` in pieces. A descriptor that another process left non-blocking can refuse a
 * write (EAGAIN) when its pipe is full: the stream, which waits until the pipe drains, then writes the
 * rest, in order. A reader that stops early (EPIPE) closes the sink quietly.
 */
export function writeTo(sink: Sink, text: string, deps: WriteDeps): void {
  for (const piece of pieces(text)) {
    if (sink.closed) return;
    if (sink.viaStream) {
      sink.stream().write(piece);
      continue;
    }
    let written = 0;
    let bytes: Buffer | undefined;
    try {
      written = deps.writeSync(sink.fd, piece);
      const length = Buffer.byteLength(piece);
      if (written < length) {
        // A partial write (a signal, a full disk about to fail): the rest from the bytes.
        bytes = Buffer.from(piece);
        while (written < bytes.length) written += deps.writeSync(sink.fd, bytes, written);
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'EAGAIN') {
        useStream(sink, deps);
        sink.stream().write(written ? (bytes ?? Buffer.from(piece)).subarray(written) : piece);
      } else fail(sink, err, deps);
    }
  }
}

/** From now on `sink` is written through its stream, whose errors end it as a failed write does. */
export function useStream(sink: Sink, deps: WriteDeps): void {
  sink.viaStream = true;
  sink.stream().on('error', (e: NodeJS.ErrnoException) => fail(sink, e, deps));
}

function fail(sink: Sink, e: NodeJS.ErrnoException, deps: WriteDeps): void {
  sink.closed = true;
  if (e.code !== 'EPIPE') deps.onError(sink, e);
}
