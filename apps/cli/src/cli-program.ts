import { Command, Option } from 'commander';
import { registerBatchesCommands } from './batches/batches-commands';
import { EXIT, type CliContext } from './cli-context';
import { CliError } from './cli-error';
import { registerDocsCommands } from './docs/docs-commands';
import { registerJobsCommands } from './jobs/jobs-commands';

export const DEFAULT_GATEWAY_URL = 'http://127.0.0.1:8080';

export interface GlobalOptions {
  url: string;
  key?: string;
  json?: boolean;
  debug?: boolean;
}

/** The gateway's base URL as the client joins paths to it: no trailing slash, no `/v1` (a common paste). */
function gatewayUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(EXIT.usage, `--url ${raw} is not a URL; give one like ${DEFAULT_GATEWAY_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(EXIT.usage, `--url ${raw} must be http:// or https://`);
  return url.href.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The `switchyard` command with its global options and every command group. */
export function buildProgram(): Command {
  const program = new Command('switchyard')
    .description('Talk to a Switchyard gateway: single jobs, batches, and bulk document runs.')
    .addOption(new Option('--url <url>', 'gateway base URL').env('SWITCHYARD_URL').default(DEFAULT_GATEWAY_URL))
    .addOption(new Option('--key <key>', 'API key (prefer the env variable: flags show in ps)').env('SWITCHYARD_API_KEY'))
    .option('--json', "print the API's JSON objects on stdout instead of text")
    .option('--debug', 'print the stack trace of an internal error')
    // Set before the subcommands exist, so they inherit it: parse errors reach main's handler, not process.exit.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');

  const context = (): CliContext => {
    const options = program.opts<GlobalOptions>();
    return { url: gatewayUrl(options.url), key: options.key || undefined, json: options.json === true };
  };
  registerJobsCommands(program, context);
  registerBatchesCommands(program, context);
  registerDocsCommands(program, context);
  return program;
}
