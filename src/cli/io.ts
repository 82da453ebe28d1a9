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
