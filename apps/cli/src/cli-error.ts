import { EXIT } from './cli-context';

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A failure the user can act on: a one-line message for stderr and the exit code a script sees. */
export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function gatewayUnreachable(url: string): CliError {
  return new CliError(EXIT.unavailable, `no Switchyard gateway at ${url}: start it with \`npm start\` or set --url`);
}

/** The one mapping from a gateway's HTTP refusal to an exit code, for fetch and SDK calls alike. */
export function gatewayRefusal(status: number, message: string): CliError {
  if (status === 401) return new CliError(EXIT.auth, `the gateway refused the API key: ${message} (set --key or SWITCHYARD_API_KEY)`);
  if (status === 403) return new CliError(EXIT.auth, `the API key may not do this: ${message}`);
  if (status >= 500) return new CliError(EXIT.unavailable, `the gateway failed (${status}): ${message}`);
  return new CliError(EXIT.rejected, `${message} (${status})`);
}
