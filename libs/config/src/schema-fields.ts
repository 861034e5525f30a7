import { z } from 'zod';
import { requiredOr, sectionErrors } from './schema-messages';

/** Building blocks of the config schema, each carrying its own friendly message. */

const DIGITS = /^\s*[+-]?\d+\s*$/;

/** A mapping that rejects keys it does not know, so a typo never silently means "default". */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  return z.strictObject(shape, { error: sectionErrors(Object.keys(shape)) });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: requiredOr(`must be one of: ${values.join(', ')}`) });
}

export function text(message = 'must be a non-empty string') {
  return z.string({ error: requiredOr(message) }).min(1, { error: message });
}

export function matching(pattern: RegExp, message: string) {
  return z.string({ error: requiredOr(message) }).regex(pattern, { error: message });
}

interface IntegerRule {
  min: number;
  max?: number;
  /** Said for anything that is not a whole number of at least `min`. */
  message: string;
  /** Said above `max`; defaults to "must be at most <max>". */
  maxMessage?: string;
}

/**
 * Whole numbers. A string of digits is accepted too, because `${VAR}` substitution can only
 * produce strings and `port: ${PORT:-8080}` should work.
 */
export function integer({ min, max, message, maxMessage }: IntegerRule) {
  const number = z.number({ error: requiredOr(message) }).superRefine((value, ctx) => {
    if (!Number.isSafeInteger(value) || value < min) ctx.addIssue({ code: 'custom', message });
    else if (max !== undefined && value > max) ctx.addIssue({ code: 'custom', message: maxMessage ?? `must be at most ${max}` });
  });
  return z.preprocess((value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value), number);
}

/** true or false; the strings too, since `${VAR}` substitution can only produce strings. */
export function flag() {
  const message = 'must be true or false';
  return z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean({ error: requiredOr(message) }));
}

export const positiveInteger = (max?: number) => integer({ min: 1, max, message: 'must be a positive integer' });
export const nonNegativeInteger = (max?: number) => integer({ min: 0, max, message: 'must be a non-negative integer' });

function parsedUrl(value: string): URL | undefined {
  return URL.canParse(value) ? new URL(value) : undefined;
}

export function httpUrl() {
  const message = 'must be an http(s) URL';
  return z.string({ error: requiredOr(message) }).superRefine((value, ctx) => {
    const url = parsedUrl(value);
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) ctx.addIssue({ code: 'custom', message });
    else if (url.username !== '' || url.password !== '') {
      ctx.addIssue({ code: 'custom', message: 'must not contain credentials (user:pass@); put the key in api_key' });
    }
  });
}

export function redisUrl() {
  const message = 'must be a redis:// or rediss:// URL';
  return z.string({ error: requiredOr(message) }).refine((value) => ['redis:', 'rediss:'].includes(parsedUrl(value)?.protocol ?? ''), { error: message });
}

/** A Redis Cluster node: a Redis URL without a database number, since a cluster has only database 0. */
export function clusterNodeUrl() {
  return redisUrl().refine((value) => !URL.canParse(value) || ['', '/', '/0'].includes(new URL(value).pathname), { error: 'must name no database (a Redis Cluster has only database 0)' });
}
