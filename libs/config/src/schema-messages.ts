import { z } from 'zod';
import type { ConfigIssue } from './config-issue';

/**
 * Friendly, fixed wording for validation problems. Zod's default text ("Invalid input:
 * expected number, received string") talks about types; these say what the setting must be.
 */

type RawIssue = z.core.$ZodRawIssue;

/** A missing value is reported as missing, whatever the field's own rule says. */
export function requiredOr(message: string): (issue: RawIssue) => string {
  return (issue) => (issue.input === undefined ? 'is required' : message);
}

/** Wording for issues no field-specific message covers; used as the per-parse error map. */
export function fallbackMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => `unknown key "${key}"`).join('\n');
    case 'too_small':
      if (issue.origin === 'array') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must have at least ${issue.minimum} entries`;
      if (issue.origin === 'string') return Number(issue.minimum) <= 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
      return `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    default:
      return undefined;
  }
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  boolean: 'true or false',
};

/**
 * Error map for a strict section: unknown keys get a "did you mean" when one of the section's
 * own keys is a likely typo target.
 */
export function sectionErrors(knownKeys: readonly string[]): (issue: RawIssue) => string | undefined {
  return (issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => `unknown key "${key}"${suggestion(key, knownKeys)}`).join('\n');
    }
    if (issue.code === 'invalid_type' && issue.input !== undefined) return 'must be a mapping';
    return fallbackMessage(issue);
  };
}

function suggestion(key: string, knownKeys: readonly string[]): string {
  const limit = key.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const known of knownKeys) {
    const distance = editDistance(key.toLowerCase(), known);
    if (distance < bestDistance) [best, bestDistance] = [known, distance];
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Edits between two strings, counting a swap of neighbours (`prot` for `port`) as one. */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Turns zod's final issues into config issues, one per line of message. */
export function issuesFromZod(error: z.ZodError, prefix: readonly PropertyKey[] = []): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    // A bad record key carries the key rule's own message in its nested issues.
    const messages = issue.code === 'invalid_key' ? issue.issues.map((inner) => inner.message) : [issue.message];
    for (const message of messages) for (const line of message.split('\n')) out.push({ path, message: line });
  }
  return out;
}
