/**
 * Repository scripts: the shell scripts of the project that a job runs (`./ci/start.sh`, `bash x.sh`,
 * `sh x.sh`) or sources (`. ci/env.sh`, `source ci/env.sh`), found statically in the job's program, read
 * (never run) and analysed with the job. Only files inside the project are read, each once per lint run,
 * to a bounded depth of scripts running scripts.
 */
import path from 'pathe';
import { repositoryRoot } from './files.js';
import { host, readText } from './host.js';
import { textSource } from './gitlab/source.js';
import type { Cmd, Facts } from './shell/facts/index.js';
import type { Position, ScriptItem, ShellKind } from './types.js';

/** How deep scripts that run scripts are followed. */
export const MAX_SCRIPT_DEPTH = 4;
/** Larger files are not read as scripts. */
const MAX_SCRIPT_BYTES = 1024 * 1024;

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/** A script the program runs: its file, how, and the command that runs it (offsets in the program). */
export interface ScriptRun {
  how: 'source' | 'exec';
  /** Absolute path of the script. */
  abs: string;
  cmd: Cmd;
}

/** A script file as a script item: positions are the file's own. */
export class FileScriptItem implements ScriptItem {
  readonly text: string;
  readonly file: string;
  readonly key: string;
  readonly scalar: ScriptItem['scalar'];
  readonly #position: (offset: number) => Position;

  constructor(file: string, text: string) {
    this.file = file;
    this.text = text;
    this.key = `script:${file}`;
    this.scalar = { start: 0, end: text.length, style: 'BLOCK_LITERAL' };
    const src = textSource(file, text);
    this.#position = (o) => src.position(o);
  }

  offsetOf(index: number): number {
    return Math.max(0, Math.min(Math.trunc(index) || 0, this.text.length));
  }

  locate(index: number): Position {
    return this.#position(this.offsetOf(index));
  }
}

/** The scripts read in one lint run, by absolute path (undefined: not a readable script). */
export class ScriptFiles {
  readonly #items = new Map<string, FileScriptItem | undefined>();
  /** The project folder ($CI_PROJECT_DIR): nothing outside it is read. */
  readonly root: string;
  /** Whether scripts are named by their absolute path (as the pipeline's own files are when its entry is). */
  readonly #absolute: boolean;

  constructor(root: string, absolute: boolean) {
    this.root = path.resolve(root);
    this.#absolute = absolute;
  }

  /** The script at `abs` as an item, read once; undefined when it is not a readable file inside the project. */
  item(abs: string): FileScriptItem | undefined {
    if (this.#items.has(abs)) return this.#items.get(abs);
    let item: FileScriptItem | undefined;
    try {
      const real = host().realpath(abs);
      const st = host().stat(real);
      if (inside(this.root, real) && st?.isFile && st.size <= MAX_SCRIPT_BYTES) {
        const text = readText(real);
        if (!text.includes('\u0000')) item = new FileScriptItem(this.#absolute ? abs : path.relative(host().cwd(), abs) || abs, text);
      }
    } catch {
      // not there, or not readable: the job's command is left as it is
    }
    this.#items.set(abs, item);
    return item;
  }

  /**
   * The project scripts a program runs, in program order. `dir`: the folder its commands start in (the
   * project folder for a job, the script's folder is not used: a script runs in its caller's folder).
   * A `cd` to a folder known statically moves the folder later paths are read from; any other `cd` ends
   * what can be known, and later scripts are not followed.
   */
  runs(facts: Facts): ScriptRun[] {
    const out: ScriptRun[] = [];
    let dir: string | undefined = this.root;
    for (const cmd of facts.cmds) {
      if (cmd.fn) continue;
      const name = cmd.name;
      if (name === 'cd' && !cmd.sub) {
        const to = cmd.args.find((a) => !a.startsWith('-'));
        dir = dir && to !== undefined && cmd.argStatic[cmd.args.indexOf(to)] ? path.resolve(dir, expandProjectDir(to, this.root)) : undefined;
        continue;
      }
      if (!dir || name === undefined) continue;
      const run = this.#classify(cmd, dir);
      if (run) out.push(run);
    }
    return out;
  }

  #classify(cmd: Cmd, dir: string): ScriptRun | undefined {
    const name = cmd.name!;
    const at = (p: string): string => path.resolve(dir, expandProjectDir(p, this.root));
    const firstOperand = (): string | undefined => {
      for (let i = 0; i < cmd.args.length; i++) {
        const a = cmd.args[i]!;
        if (a === '-c') return undefined;
        if (a.startsWith('-') || a.startsWith('+')) continue;
        return cmd.argStatic[i] || /^\$\{?CI_PROJECT_DIR\}?\//.test(a) ? a : undefined;
      }
      return undefined;
    };
    if (name === '.' || name === 'source') {
      const p = firstOperand();
      return p !== undefined && this.item(at(p)) ? { how: cmd.sub ? 'exec' : 'source', abs: at(p), cmd } : undefined;
    }
    if (SHELLS.has(name)) {
      const p = firstOperand();
      return p !== undefined && this.item(at(p)) ? { how: 'exec', abs: at(p), cmd } : undefined;
    }
    if (name.includes('/') || /^\$\{?CI_PROJECT_DIR\}?\//.test(cmd.rawName)) {
      const abs = at(name.includes('/') ? name : cmd.rawName);
      const item = this.item(abs);
      return item && isShellScript(abs, item.text) ? { how: 'exec', abs, cmd } : undefined;
    }
    return undefined;
  }
}

/** `$CI_PROJECT_DIR/x` and `${CI_PROJECT_DIR}/x` as a path in the project folder. */
function expandProjectDir(p: string, root: string): string {
  return p.replace(/^\$\{?CI_PROJECT_DIR\}?(?=\/|$)/, root);
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The program a `#!` line names (`#!/bin/sh` → sh, `#!/usr/bin/env -S bash -e` → bash), if the text has one. */
function interpreter(text: string): string | undefined {
  return /^#!\s*(?:\S*\/)?(?:env\s+(?:-\S+\s+)*)?(\S+)/.exec(text.slice(0, text.indexOf('\n') >>> 0))?.[1]!.replace(/^.*\//, '');
}

/** A file run as a command is a shell script when it says so: `.sh`/`.bash`, or a `#!` line naming a shell. */
export function isShellScript(file: string, text: string): boolean {
  return /\.(sh|bash)$/.test(file) || SHELLS.has(interpreter(text) ?? '');
}

/**
 * The shell an executed script runs in: the one that runs it (`bash x.sh`, `sh x.sh`), else the one its
 * `#!` line names, else the job's (a script without one is run by the shell that runs it). `sh` is the
 * job's shell where that is busybox ash, and unknown elsewhere (dash on Debian, bash on others).
 */
export function scriptShell(r: ScriptRun, text: string, job: ShellKind): ShellKind {
  const name = SHELLS.has(r.cmd.name ?? '') ? r.cmd.name! : interpreter(text);
  if (name === 'bash') return 'bash';
  if (name === 'sh' || name === 'ash' || name === 'dash') return job === 'ash' ? 'ash' : 'unknown';
  return name === undefined ? job : 'unknown';
}

/** The project folder of an entry file: where `.gitlab-ci.yml` is, else the repository root (see files.ts). */
export function projectRoot(file: string): string {
  const dir = path.dirname(path.resolve(file));
  if (path.basename(file) === '.gitlab-ci.yml') return dir;
  return repositoryRoot(dir);
}
