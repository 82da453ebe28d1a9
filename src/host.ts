/**
 * What the core asks of the system it runs on: the files it reads, the parser's WebAssembly and the
 * generator's templates. The core itself imports no Node module: the CLI and the language server set
 * the Node host (src/node/host.ts), the playground sets one of its own, without files.
 */

/** What is at a path. */
export interface FileInfo {
  isFile: boolean;
  isDirectory: boolean;
  /** Bytes. */
  size: number;
}

export interface Host {
  /** The working folder: relative paths start there, and messages name files relative to it. */
  cwd(): string;
  /**
   * What is at `path` (symbolic links followed); undefined when nothing is there. Throws an error whose
   * `code` says why (EACCES…) when it cannot be known.
   */
  stat(path: string): FileInfo | undefined;
  /** The path with its symbolic links resolved; throws when there is nothing at `path`. */
  realpath(path: string): string;
  /** A file's bytes; throws an error with a `code` when it cannot be read. */
  readFile(path: string): Uint8Array;
  /** The files under `cwd` that match `patterns` (absolute paths, symbolic links not followed). */
  glob(patterns: string[], options: { cwd: string; dot?: boolean; ignore?: string[] }): string[];
  /**
   * The bash parser's WebAssembly: where web-tree-sitter finds its runtime (`web-tree-sitter.wasm`), and
   * the bytes of the grammar (`tree-sitter-bash.wasm`). Asked once, before the first compilation.
   */
  parserFiles(): { locateFile(name: string): string; grammar: Uint8Array<ArrayBuffer> | Promise<Uint8Array<ArrayBuffer>> };
  /** The text of a generator template (`templates/gen/NAME`). */
  template(name: string): string;
  /** ci-bgsafe's version, which generated code names. */
  version(): string;
}

/** An error as a missing file gives it. */
export function notFound(path: string): Error & { code: string } {
  return Object.assign(new Error(`ENOENT: no such file, '${path}'`), { code: 'ENOENT' });
}

/** A host without files, parser or templates: where nothing has been set up, every read finds nothing. */
export const NO_FILES: Host = {
  cwd: () => '/',
  stat: () => undefined,
  realpath: (path) => {
    throw notFound(path);
  },
  readFile: (path) => {
    throw notFound(path);
  },
  glob: () => [],
  parserFiles: () => {
    throw new Error('no bash parser: the program has not set a host that has one');
  },
  template: (name) => {
    throw new Error(`no template ${name}: the program has not set a host that has the templates`);
  },
  version: () => '0.0.0',
};

let current: Host = NO_FILES;

/** The host the program set. */
export function host(): Host {
  return current;
}

/** Sets the host the core reads through, once at a program's start. */
export function setHost(h: Host): void {
  current = h;
}

/** A file's text, as UTF-8 (a leading BOM kept, as Node's `readFileSync(path, 'utf8')` keeps it). */
export function readText(path: string): string {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(current.readFile(path));
}

/** Whether anything is at `path` (false too when that cannot be known). */
export function exists(path: string): boolean {
  try {
    return current.stat(path) !== undefined;
  } catch {
    return false;
  }
}
