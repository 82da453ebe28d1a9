/**
 * Shared data shapes of ci-bgsafe: the resolved pipeline model, shell facts and findings.
 * Everything here is plain data; no module that defines these shapes prints or exits.
 */

/** A 1-based position in a source file. */
export interface Position {
  line: number;
  column: number;
}

/** A 1-based, end-exclusive span in a source file. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type Severity = 'error' | 'warning' | 'info';

/** Orders severities: info < warning < error. */
export function severityRank(s: Severity): number {
  return s === 'error' ? 2 : s === 'warning' ? 1 : 0;
}

/** A problem with the input itself (bad YAML, a cycle, a missing include), or a note about it. */
export interface Diagnostic {
  severity: Severity;
  /** Stable code, e.g. `yaml-syntax`, `extends-cycle`, `include-not-resolved`. */
  code: string;
  message: string;
  file: string;
  line: number;
  column: number;
}

/** Thrown by loaders for input that cannot be read at all; the CLI turns it into exit code 2. */
export class InputError extends Error {
  readonly diagnostic: Diagnostic;
  constructor(diagnostic: Diagnostic) {
    super(`${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.message}`);
    this.name = 'InputError';
    this.diagnostic = diagnostic;
  }
}

/**
 * One item of a `before_script`, `script` or `after_script` list, as GitLab sees it,
 * with the means to map any character of it back to where it is written.
 */
export interface ScriptItem {
  /** The command text exactly as GitLab will run it (after YAML scalar folding). */
  readonly text: string;
  /** The file in which the scalar is written (the alias/reference target, not the user). */
  readonly file: string;
  /** Stable identity of the written scalar: the same text reached through aliases, `extends` or `!reference` shares it. */
  readonly key: string;
  /** Maps a character index in `text` (0..text.length) to the 1-based position where it is written. */
  locate(index: number): Position;
  /** Maps a character index in `text` (0..text.length) to the 0-based character offset in the file's text. */
  offsetOf(index: number): number;
  /** How and where the scalar is written: the whole scalar node, indicators included. */
  readonly scalar: {
    start: number;
    end: number;
    style: 'PLAIN' | 'QUOTE_DOUBLE' | 'QUOTE_SINGLE' | 'BLOCK_LITERAL' | 'BLOCK_FOLDED';
  };
}

export type Section = 'before_script' | 'script' | 'after_script';

/**
 * The shell GitLab runs a job's script with: bash whenever the image has it; `ash`, busybox's `sh`, in
 * images without bash (alpine, busybox, docker:…); `unknown` for an image ci-bgsafe cannot tell;
 * PowerShell for Windows jobs.
 */
export type ShellKind = 'bash' | 'ash' | 'unknown' | 'powershell';

export type Executor = 'shell' | 'docker' | 'kubernetes' | 'instance';

export interface Job {
  name: string;
  /** File and position of the job's key. */
  file: string;
  line: number;
  column: number;
  before_script: ScriptItem[];
  script: ScriptItem[];
  after_script: ScriptItem[];
  /** Effective image name (from the job or `default:`), if any. */
  image?: string;
  /** Effective `services:` (from the job, `default:` or the top level): each image name and its alias, if given. */
  services?: Array<{ name: string; alias?: string }>;
  tags: string[];
  /** Job-level plus global `variables:` (string values only). */
  variables: Record<string, string>;
  /**
   * What the job uses that was not read (`extends .x`, `!reference [.x, script]` of a name defined in no
   * file read): the job is analysed without it, and a finding it could change says so.
   */
  unread?: string[];
  /**
   * Set for a template no job of the file reaches (a hidden job, or a list of commands under a hidden
   * key): its name as other files use it (`.start-redis`, `!reference [.scripts, start]`).
   */
  template?: string;
  /** A list of commands under a hidden key rather than a hidden job. */
  fragment?: boolean;
}

export interface Pipeline {
  /** The entry file, as given. */
  file: string;
  /** Every file read (entry first), with its text, for code frames and suppressions. */
  sources: Map<string, string>;
  /** Visible jobs in definition order (hidden `.jobs` are not jobs). */
  jobs: Job[];
  /** The templates no visible job reaches (see `Job.template`), analysed for the files and projects that use them. */
  templates?: Job[];
  /** Non-fatal notes and warnings met while loading (unresolved includes, duplicate keys...). */
  diagnostics: Diagnostic[];
  /** True when the entry file is a CI/CD component (a `spec:` header document). */
  isComponent: boolean;
}

/** A half-open range of characters in a ScriptItem's text. */
export interface ItemRange {
  item: ScriptItem;
  start: number;
  end: number;
}

/** A text edit on a source file: the characters in `range` (offsets of the original text, end exclusive) become `text`. */
export interface TextEdit {
  file: string;
  range: [number, number];
  text: string;
}

/** How to repair a finding: text edits on the original sources, all in the file the finding is in. */
export interface Fix {
  /** What the fix does, in a few words: the language server's quick fix and the playground's button say it. */
  title: string;
  edits: TextEdit[];
  /**
   * The repaired code calls `ci_bgsafe_start` from the library of this shell, through
   * `!reference [.ci-bgsafe, before_script]` (`.ci-bgsafe-sh` for sh). `--fix` makes sure the file
   * has it, once: a hidden job holding the library, or an `include:` of the services component.
   */
  library?: 'bash' | 'sh';
  /**
   * The repaired job runs the job guard of this shell first, through
   * `!reference [.ci-bgsafe-guard, before_script]` (`.ci-bgsafe-guard-sh` for sh). `--fix` makes sure
   * the file has that hidden job, once.
   */
  guard?: 'bash' | 'sh';
}

/** What a rule reports: data only, turned into prose and position by the linter and formatters. */
export interface Finding {
  ruleId: string;
  ruleName: string;
  severity: Severity;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  jobs: string[];
  section: Section;
  fixable: boolean;
  /** How to repair it, when `fixable`. */
  fix?: Fix;
  /**
   * Another repair, for the whole job: run the job guard first. The language server offers it as a
   * second quick fix; `--fix` applies it instead of `fix` where the configuration's `fixStyle` is `guard`.
   */
  alternative?: Fix;
  /** A suggested change, for findings that cannot be fixed safely. */
  suggestion?: string;
  /** Set when the finding is in a template that no job of the file reaches (`jobs` is empty then). */
  template?: string;
}

/** The result of one lint run: what the formatters and `--fix` take. */
export interface LintReport {
  findings: Finding[];
  /** Input errors: a file that could not be linted (the CLI exits 2). */
  errors: Diagnostic[];
  /** Non-fatal notes: include not resolved, not fully analysed, unused suppression... */
  notes: Diagnostic[];
  /** Files linted. */
  files: string[];
  /** File -> text, for code frames, fingerprints and fixes. */
  sources: Map<string, string>;
  /** Paths in reports are relative to it. */
  cwd: string;
  /**
   * When the run fails, from the configurations that applied to the linted files: the strictest
   * `severityThreshold` and `maxWarnings` among them (command-line options override both).
   */
  settings?: { severityThreshold?: Severity; maxWarnings?: number };
}
