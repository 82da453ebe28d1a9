/**
 * `ci-bgsafe lint --fix` / `--fix-dry-run`: applies the fixes the rules found (text edits on the linted
 * files). Each candidate text is re-linted in memory (text.ts); a fix is kept only when the YAML still loads, its
 * finding is gone and no rule reports more than before. Fixes of different jobs are first tried together
 * (one per job, halved until they are an improvement), then one at a time; a fix that overlaps one
 * applied before it is left for the next round, when the rules work it out again on the new text.
 * Where a fix calls the library, the file gets it once (library.ts). Writes are atomic and keep the
 * file's mode. Standard input is never written: its repairs appear in the diff only.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import { defaultConfig, findConfigFile, loadConfig, type Config } from '../config/index.js';
import type { LintOptions } from '../lint.js';
import { RULES } from '../rules/index.js';
import type { LintReport } from '../types.js';
import { writeFileAtomic } from '../atomic.js';
import { fixText, type FixedFinding } from './text.js';

export { libraryEdit } from './library.js';
export { applyEdits, fixText, type FixedFinding } from './text.js';

export interface ApplyFixesOptions {
  /** Write the fixed files (`--fix`); otherwise only compute the diff (`--fix-dry-run`). */
  write: boolean;
  /** Paths in the diff are relative to it. */
  cwd: string;
  /** The options the report was linted with (configuration, executor, rules), for re-linting candidates. */
  lint?: LintOptions;
  /** At most this many fixes per file (default 100). */
  maxFixes?: number;
}

export interface FileFixes {
  /** The file as named in the report. */
  file: string;
  before: string;
  after: string;
  applied: FixedFinding[];
  /** Fixes not applied: the result did not load, kept the finding, or made another rule report more. */
  rejected: FixedFinding[];
  /** True for standard input, which is never written. */
  stdin: boolean;
}

export interface ApplyFixesResult {
  /** Unified diff of every changed file (empty when nothing changes). */
  diff: string;
  /** Files written (absolute paths). */
  written: string[];
  files: FileFixes[];
}

/** Fixes what the report's fixable findings allow in the linted files; writes only when `write`. */
export async function applyFixes(report: LintReport, options: ApplyFixesOptions): Promise<ApplyFixesResult> {
  const cwd = resolve(options.cwd ?? report.cwd);
  const result: ApplyFixesResult = { diff: '', written: [], files: [] };
  const lintOptions: LintOptions = { ...options.lint, cwd };
  for (const name of report.files) {
    const stdin = !report.sources.has(resolve(cwd, name)) && report.sources.has(name) && !isFileOnDisk(resolve(cwd, name));
    const file = stdin ? name : resolve(cwd, name);
    if (!report.findings.some((f) => f.file === file && f.fix)) continue;
    const before = report.sources.get(file) ?? readFileSync(file, 'utf8');
    const config = configFor(file, stdin, lintOptions);
    const fixed = fixText(file, before, config, lintOptions, options.maxFixes ?? 100);
    result.files.push({ file: name, before, after: fixed.text, applied: fixed.applied, rejected: fixed.rejected, stdin });
    if (fixed.text === before) continue;
    const shown = stdin ? name : relative(cwd, file) || name;
    result.diff += createTwoFilesPatch(shown, shown, before, fixed.text, '', '', { context: 3 });
    if (options.write && !stdin) {
      writeFileAtomic(file, fixed.text);
      result.written.push(file);
    }
  }
  return result;
}

function isFileOnDisk(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

function configFor(file: string, stdin: boolean, options: LintOptions): Config {
  if (options.config) return options.config;
  if (options.noConfig) return defaultConfig();
  const found = findConfigFile(stdin ? options.cwd ?? process.cwd() : dirname(file));
  return found ? loadConfig(found, RULES.map((r) => r.meta)).config : defaultConfig();
}
