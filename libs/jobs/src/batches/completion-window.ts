import { InvalidRequestError, MAX_JOB_TIMEOUT_S } from '@switchyard/contracts';

const UNIT_S: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `completion_window` in seconds: any duration (`24h`, `90m`, `7d`, `600s`) up to 30 days. */
export function completionWindowS(window: string): number {
  const match = /^(\d{1,7})([smhd])$/.exec(window);
  const seconds = match ? Number(match[1]) * UNIT_S[match[2]] : Number.NaN;
  if (!(seconds >= 1 && seconds <= MAX_JOB_TIMEOUT_S)) {
    throw new InvalidRequestError('completion_window must be a duration from 1s to 30d, such as 24h, 90m, 7d or 600s.', 'completion_window', 'invalid_value');
  }
  return seconds;
}
