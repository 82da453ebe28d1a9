/**
 * The command line: parses options, calls the library, formats, and returns the exit code.
 * Nothing else: no rule logic here, and only the process entry (`src/cli/process.ts`) sets the process exit code.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { Command, CommanderError, Option } from 'commander';
import { EXECUTORS, SEVERITIES } from './config/schema.js';
import { EXIT, type CliIO } from './cli/io.js';
import { setHost } from './host.js';
import { nodeHost } from './node/host.js';
import { configureGenCommand } from './gen/options.js';
import { RULES } from './rules/index.js';
import { InputError, severityRank, type Executor, type Severity } from './types.js';

const require = createRequire(import.meta.url);
export const VERSION: string = (require('../package.json') as { version: string }).version;

const FORMAT_NAMES = ['text', 'json', 'sarif', 'codequality'] as const;

const LINT_EXAMPLES = `
Examples:
  $ ci-bgsafe lint                                  lint ./.gitlab-ci.yml
  $ ci-bgsafe lint ci/*.yml templates/deploy.yml    several files
  $ ci-bgsafe lint .                                every GitLab CI/CD file of the repository
  $ cat .gitlab-ci.yml | ci-bgsafe lint -           standard input
  $ ci-bgsafe lint -f codequality -o gl-code-quality-report.json
                                                    a report for merge requests, the summary on the terminal
  $ ci-bgsafe lint --executor docker --severity-threshold error

Exit codes: 0 no findings at or above the failing severity, 1 findings, 2 usage or input error, 3 internal error.`;

const ROOT_EXAMPLES = `
Examples:
  $ ci-bgsafe lint .gitlab-ci.yml
  $ ci-bgsafe gen --service vpn='openfortivpn -c /etc/openfortivpn/vpn.conf' --ready vpn=tcp:10.0.0.1:443
  $ ci-bgsafe rules
  $ ci-bgsafe init
  $ ci-bgsafe lsp                                   the language server, for editors`;

interface LintCliOptions {
  format: (typeof FORMAT_NAMES)[number];
  output?: string;
  executor?: Executor;
  config?: string | false;
  maxWarnings?: string;
  severityThreshold?: Severity;
  color?: boolean;
  fix?: boolean;
  fixDryRun?: boolean;
  mapProject?: string[];
}

/** Runs the CLI with `argv` (without `node` and the script) and returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  setHost(nodeHost);
  let code: number = EXIT.OK;
  const program = new Command('ci-bgsafe')
    .description('Find background processes that hang or outlive GitLab CI/CD jobs, and generate scripts that always stop them.')
    .version(VERSION, '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', ROOT_EXAMPLES)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });

  program
    .command('lint')
    .description('lint .gitlab-ci.yml files and CI/CD component files')
    .argument('[paths...]', 'files or folders to lint (a folder: its GitLab CI/CD files); - reads standard input', ['.gitlab-ci.yml'])
    .addOption(new Option('-f, --format <name>', 'report format').choices(FORMAT_NAMES).default('text'))
    .option('-o, --output <file>', 'write the report to a file (the text summary still goes to the terminal)')
    .addOption(new Option('--executor <name>', 'the runner executor of every job (default: guessed from tags and image)').choices(EXECUTORS))
    .option('-c, --config <file>', 'configuration file (default: .ci-bgsafe.yml found upward from each file)')
    .option('--no-config', 'ignore configuration files')
    .addOption(new Option('--severity-threshold <severity>', 'lowest severity that fails the run').choices(SEVERITIES))
    .option('--max-warnings <n>', 'fail when there are more than n warnings')
    .option('--fix', 'repair what can be repaired safely, in place')
    .option('--fix-dry-run', 'print the repairs as a unified diff, change nothing')
    .option(
      '--map-project <project=dir>',
      'read include: project/component of a GitLab project from a local folder (repeatable)',
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--no-color', 'no colours in the text report')
    .addHelpText('after', LINT_EXAMPLES)
    .action(async (paths: string[], opts: LintCliOptions) => {
      code = await runLint(paths, opts, io);
    });

  const gen = program.command('gen').description('print a preamble that starts background services safely and always stops them');
  configureGenCommand(gen).action(async (opts: Record<string, unknown>) => {
    const { runGen } = await import('./gen/run.js');
    code = await runGen(opts, io);
  });

  program
    .command('rules')
    .description('list the rules')
    .addOption(new Option('-f, --format <name>', 'list format').choices(['text', 'json']).default('text'))
    .action((opts: { format: string }) => {
      if (opts.format === 'json') {
        io.out(`${JSON.stringify(RULES.map((r) => r.meta), null, 2)}\n`);
        return;
      }
      for (const r of RULES) {
        const m = r.meta;
        io.out(`${m.id}  ${m.name.padEnd(32)} ${m.defaultSeverity.padEnd(8)}${m.fixable ? 'fixable ' : '        '}${m.summary}\n`);
      }
    });

  program
    .command('lsp')
    .description('run the language server (LSP over standard input and output) for editors')
    .option('--stdio', 'talk over standard input and output (the default, and the only way)')
    .action(async () => {
      const { runLanguageServer } = await import('./lsp/index.js');
      await runLanguageServer();
    });

  program
    .command('init')
    .description('write a commented .ci-bgsafe.yml listing every rule and option')
    .option('--force', 'overwrite an existing file')
    .option('-o, --output <file>', 'where to write it', '.ci-bgsafe.yml')
    .action(async (opts: { force?: boolean; output: string }) => {
      const { initConfigText } = await import('./config/init.js');
      const target = resolve(io.cwd, opts.output);
      if (existsSync(target) && !opts.force) {
        io.err(`ci-bgsafe: ${opts.output} already exists (use --force to overwrite it)\n`);
        code = EXIT.USAGE;
        return;
      }
      writeFileAtomic(target, initConfigText(RULES.map((r) => r.meta)));
      io.out(`wrote ${opts.output}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exit code 0; usage errors with 1 from commander: ours is 2.
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
    }
    if (e instanceof InputError) {
      io.err(`ci-bgsafe: ${e.message}\n`);
      return EXIT.USAGE;
    }
    io.err(`ci-bgsafe: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    if (io.env.CI_BGSAFE_DEBUG) io.err(`${(e as Error)?.stack ?? ''}\n`);
    io.err('This is a bug in ci-bgsafe; please report it with the input that caused it.\n');
    return EXIT.INTERNAL;
  }
  return code;
}

async function runLint(paths: string[], opts: LintCliOptions, io: CliIO): Promise<number> {
  const [{ lint }, { format }, config] = await Promise.all([
    import('./lint.js'),
    import('./format/index.js'),
    import('./config/index.js'),
  ]);
  let maxWarnings: number | undefined;
  if (opts.maxWarnings !== undefined) {
    if (!/^\d+$/.test(opts.maxWarnings)) {
      io.err(`ci-bgsafe: --max-warnings takes a whole number, not "${opts.maxWarnings}"\n`);
      return EXIT.USAGE;
    }
    maxWarnings = Number(opts.maxWarnings);
  }
  let explicit: import('./config/index.js').Config | undefined;
  if (typeof opts.config === 'string') {
    const file = resolve(io.cwd, opts.config);
    if (!existsSync(file)) {
      io.err(`ci-bgsafe: ${opts.config}:1:1: configuration file not found\n`);
      return EXIT.USAGE;
    }
    explicit = config.loadConfig(file, RULES.map((r) => r.meta)).config;
  }
  const map: Record<string, string> = {};
  for (const m of opts.mapProject ?? []) {
    const eq = m.indexOf('=');
    if (eq <= 0 || eq === m.length - 1) {
      io.err(`ci-bgsafe: --map-project takes PROJECT=FOLDER (my-group/ci-templates=../ci-templates), not "${m}"\n`);
      return EXIT.USAGE;
    }
    map[m.slice(0, eq).replace(/^\/+|\/+$/g, '')] = m.slice(eq + 1);
  }
  const stdinUsed = paths.includes('-');
  if (opts.fix && stdinUsed) {
    io.err('ci-bgsafe: standard input cannot be fixed in place; use --fix-dry-run to see the changes as a diff\n');
    return EXIT.USAGE;
  }
  const lintOptions = {
    cwd: io.cwd,
    config: explicit,
    noConfig: opts.config === false,
    executor: opts.executor,
    ...(opts.mapProject?.length ? { map } : {}),
    stdin: stdinUsed ? { text: await io.readStdin(), name: '<stdin>' } : undefined,
  };
  let report = await lint(paths, lintOptions);

  if (opts.fix || opts.fixDryRun) {
    const { applyFixes } = await import('./fix/index.js');
    const result = await applyFixes(report, { write: !!opts.fix, cwd: io.cwd, lint: lintOptions });
    if (opts.fixDryRun) io.out(result.diff);
    // After fixing, report what is left.
    if (opts.fix && result.written.length) report = await lint(paths, lintOptions);
  }

  // From the configurations of the linted files (found upward from each, or --config), unless given here.
  const threshold: Severity = opts.severityThreshold ?? report.settings?.severityThreshold ?? 'warning';
  maxWarnings ??= report.settings?.maxWarnings;
  const color = opts.color !== false && io.isTTY && !('NO_COLOR' in io.env && io.env.NO_COLOR !== '');
  const rules = RULES.map((r) => r.meta);
  if (opts.output) {
    const text = format(opts.format, report, { rules, toolVersion: VERSION });
    try {
      writeFileAtomic(resolve(io.cwd, opts.output), text);
    } catch (e) {
      io.err(`ci-bgsafe: cannot write ${opts.output}: ${(e as Error).message}\n`);
      return EXIT.USAGE;
    }
    io.out(format('text', report, { color, rules, toolVersion: VERSION }));
  } else {
    io.out(format(opts.format, report, { color, rules, toolVersion: VERSION }));
  }
  if (report.errors.length) {
    if (opts.format !== 'text' && !opts.output) {
      for (const e of report.errors) io.err(`${relative(io.cwd, resolve(io.cwd, e.file)) || e.file}:${e.line}:${e.column}: ${e.severity} ${e.message} [${e.code}]\n`);
    }
    return EXIT.USAGE;
  }
  const failing = report.findings.filter((f) => severityRank(f.severity) >= severityRank(threshold)).length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  if (failing > 0) return EXIT.FINDINGS;
  if (maxWarnings !== undefined && warnings > maxWarnings) {
    io.err(`ci-bgsafe: ${warnings} warnings, more than --max-warnings ${maxWarnings}\n`);
    return EXIT.FINDINGS;
  }
  return EXIT.OK;
}

