import { InvalidArgumentError } from 'commander';

/** For numeric options: commander reports the InvalidArgumentError as a usage error (exit 2). */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('must be a whole number of 1 or more.');
  return Number(value);
}

/** `--metadata key=value`, repeatable, collected into one object. */
export function collectKeyValue(value: string, previous: Record<string, string> = {}): Record<string, string> {
  const at = value.indexOf('=');
  if (at < 1) throw new InvalidArgumentError('must be key=value.');
  return { ...previous, [value.slice(0, at)]: value.slice(at + 1) };
}
