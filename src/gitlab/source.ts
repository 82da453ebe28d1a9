/** Reading input files: existence, directories, binary and non-UTF-8 content, BOM; offsets to line:col. */
import { host, type FileInfo } from '../host.js';
import type { Diagnostic, Position } from '../types.js';
import { InputError } from '../types.js';

/** A file's text, as read, and how to turn its offsets into 1-based positions. */
export class SourceFile {
  readonly file: string;
  readonly text: string;
  readonly #lineStarts: number[];
  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.#lineStarts = starts;
  }
  /** 1-based line and column of a 0-based offset (columns count UTF-16 units, as editors do). */
  position(offset: number): Position {
    const starts = this.#lineStarts;
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - starts[lo]! + 1 };
  }
  diagnostic(severity: Diagnostic['severity'], code: string, message: string, offset: number): Diagnostic {
    const { line, column } = this.position(offset);
    return { severity, code, message, file: this.file, line, column };
  }
  error(code: string, message: string, offset: number): InputError {
    return new InputError(this.diagnostic('error', code, message, offset));
  }
}

function fail(file: string, code: string, message: string, line = 1, column = 1): never {
  throw new InputError({ severity: 'error', code, message, file, line, column });
}

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/** Position (1-based) of byte `index` in `buf`, counting lines and UTF-16 columns of the valid prefix. */
function bytePosition(buf: Uint8Array, index: number): Position {
  const prefix = new TextDecoder('utf-8').decode(buf.subarray(0, index));
  const lastNl = prefix.lastIndexOf('\n');
  let line = 1;
  for (let i = prefix.indexOf('\n'); i !== -1; i = prefix.indexOf('\n', i + 1)) line++;
  return { line, column: prefix.length - lastNl };
}

/**
 * Largest input read, in bytes: far above any real CI configuration, low enough that a hostile file
 * ends with a clear error rather than minutes of work and gigabytes of memory.
 */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

function tooLarge(file: string, bytes: number): never {
  const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;
  fail(file, 'file-too-large', `file too large (${mb(bytes)}); ci-bgsafe reads files of up to ${mb(MAX_FILE_BYTES)}`);
}

/** Checks text handed in directly (standard input): size, no NUL, BOM removed. */
export function textSource(file: string, text: string): SourceFile {
  if (text.length > MAX_FILE_BYTES) {
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > MAX_FILE_BYTES) tooLarge(file, bytes);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf('\0');
  if (nul !== -1) {
    const src = new SourceFile(file, text);
    throw src.error('binary-file', 'binary content (a NUL character), not a YAML file', nul);
  }
  return new SourceFile(file, text);
}

/** The system's code of an error (ENOENT, EACCES…), else the error as text. */
function errorCode(e: unknown): string {
  return (e as { code?: string }).code ?? String(e);
}

/** Reads a YAML file through the host, refusing what cannot be a CI configuration. */
export function readSource(path: string, display: string): SourceFile {
  let stat: FileInfo | undefined;
  try {
    stat = host().stat(path);
  } catch (e) {
    fail(display, 'file-unreadable', `cannot read the file (${errorCode(e)})`);
  }
  if (!stat) fail(display, 'file-not-found', 'file not found');
  if (stat.isDirectory) fail(display, 'not-a-file', 'is a directory, not a YAML file');
  if (!stat.isFile) fail(display, 'not-a-file', 'is not a regular file');
  if (stat.size > MAX_FILE_BYTES) tooLarge(display, stat.size);
  let buf: Uint8Array;
  try {
    buf = host().readFile(path);
  } catch (e) {
    fail(display, 'file-unreadable', `cannot read the file (${errorCode(e)})`);
  }
  const nul = buf.indexOf(0);
  if (nul !== -1) {
    const p = bytePosition(buf, nul);
    fail(display, 'binary-file', 'binary content (a NUL byte), not a YAML file', p.line, p.column);
  }
  const bad = firstInvalidUtf8(buf);
  if (bad !== -1) {
    const p = bytePosition(buf, bad);
    fail(display, 'not-utf8', `not UTF-8 text (invalid byte 0x${buf[bad]!.toString(16).padStart(2, '0')})`, p.line, p.column);
  }
  // TextDecoder drops a leading BOM
  return new SourceFile(display, new TextDecoder('utf-8').decode(buf));
}
