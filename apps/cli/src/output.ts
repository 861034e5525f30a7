import type { CliContext } from './cli-context';

/** With --json, exactly the API's object on one line; otherwise the human view of it. */
export function emit<T>(context: CliContext, value: T, human: (value: T) => string): void {
  process.stdout.write(context.json ? `${JSON.stringify(value)}\n` : `${human(value)}\n`);
}

/** Notes for a person (progress, where a file went): stderr, so stdout stays the command's result. */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function formatTime(unixSeconds: number | null | undefined): string {
  return unixSeconds == null ? '-' : new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function formatCost(usd: number | null | undefined): string {
  return usd == null ? '' : `$${usd.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;
}
