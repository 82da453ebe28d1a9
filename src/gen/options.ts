/** The `gen` subcommand's options and help. Light: loads no template engine. */
import { Option, type Command } from 'commander';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

const EXAMPLES = `
Examples:
  # A VPN tunnel for the whole job, stopped whatever happens (paste at the start of script:)
  $ ci-bgsafe gen --service vpn='openfortivpn -c /etc/openfortivpn/my-tunnel-config.conf'

  # A mock server, waited for on its port, for an alpine (busybox sh) image
  $ ci-bgsafe gen --shell sh --service mock='node mock.js' --ready mock=tcp:localhost:8080 --ready-timeout 60

  # A complete job, written atomically to a file
  $ ci-bgsafe gen --format job --service xvfb='Xvfb :99' --ready xvfb=file:/tmp/.X11-unix/X99 -o ci/xvfb-job.yml

  # The job guard: first in before_script, it names and stops whatever the job leaves running
  $ ci-bgsafe gen --format guard --grace 5 --on-leak fail

  # A hidden job .ci-bgsafe to use with !reference, and the sudoers lines for a service run with sudo
  $ ci-bgsafe gen --format reference --spec ci/services.yml
  $ ci-bgsafe gen --format sudoers --service vpn='/usr/bin/openfortivpn -c /etc/openfortivpn/vpn.conf' --sudo vpn

Probes: tcp:HOST:PORT, http:URL (http:http://localhost:8080/health), file:PATH, cmd:COMMAND.
Names: a lower-case letter, then lower-case letters, digits, _ or -.
Exit codes: 0 written, 2 bad usage or input (the message names the option or file:line:col).
See docs/gen.md and docs/guard.md.
`;

/** Adds every option of `ci-bgsafe gen` and its help text to `cmd` (a Command named `gen`). */
export function configureGenCommand(cmd: Command): Command {
  return cmd
    .description('Print a bash (or POSIX sh) preamble that starts background services and never lets them hang or outlive the job.')
    .option('--service <NAME=COMMAND>', 'a service and the shell command that runs it in the foreground (repeatable)', collect)
    .option('--ready <NAME=PROBE>', 'wait until the probe passes: tcp:HOST:PORT, http:URL, file:PATH, cmd:COMMAND (repeatable)', collect)
    .option('--ready-timeout <SECONDS>', 'how long to wait for a probe before failing the job (default 30)')
    .option('--grace <SECONDS>', 'how long to wait after TERM before KILL when stopping a service (default 10)')
    .option('--on-exit <NAME=fail|ignore>', 'fail the job when the service exits while the job runs (fail, default) or not (repeatable)', collect)
    .option('--sudo <NAME>', 'run the service with sudo; see --format sudoers (repeatable)', collect)
    .addOption(new Option('--shell <SHELL>', 'shell of the generated code').choices(['bash', 'sh']))
    .addOption(
      new Option('--format <FORMAT>', 'what to print').choices(['script', 'job', 'reference', 'library', 'sudoers', 'guard']).default('script'),
    )
    .addOption(
      new Option('--on-leak <MODE>', 'with --format guard: warn (default) names and stops what the job left running; fail also fails a job that passed').choices([
        'warn',
        'fail',
      ]),
    )
    .option('--spec <FILE>', 'read services from a YAML file (schemas/gen-spec.schema.json)')
    .option('--job-name <NAME>', 'job name for --format job', 'job-with-services')
    .option('-o, --output <FILE>', 'write to FILE (atomically) instead of standard output')
    .addHelpText('after', EXAMPLES);
}
