import { CommanderError } from 'commander';
import { EXIT } from './cli-context';
import { CliError } from './cli-error';
import { fromSdkError } from './gateway-client';

/** The top-level handler: a CliError's one line and code; anything else is a bug, with its stack only on --debug. */
export function reportFailure(error: unknown, url: string, debug: boolean): number {
  // Commander has already printed its usage message (or the help the user asked for).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  const failure = fromSdkError(error, url);
  if (failure instanceof CliError) {
    process.stderr.write(`switchyard: ${failure.message}\n`);
    return failure.exitCode;
  }
  const detail = debug ? `\n${failure instanceof Error ? (failure.stack ?? failure.message) : String(failure)}` : ' (run again with --debug for details)';
  process.stderr.write(`switchyard: internal error${detail}\n`);
  return EXIT.internal;
}
