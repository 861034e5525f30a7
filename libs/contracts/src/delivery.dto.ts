import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { compose } from './compose-decorators';
import { Satisfies } from './satisfies.decorator';

/** Thirty days: the longest a job may wait for its deadline. */
export const MAX_JOB_TIMEOUT_S = 30 * 86_400;

export class WebhookDto {
  @IsString() @MaxLength(2048) @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false, allow_underscores: true }, { message: 'url must be an http(s) URL' })
  url: string;
}

const MAX_CACHE_TTL_S = 365 * 86_400;

function checkCacheRule(value: unknown): string | null {
  if (value === false) return null;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'must be false or an object {ttl_s}';
  const unknown = Object.keys(value).filter((key) => key !== 'ttl_s');
  if (unknown.length > 0) return `has an unrecognized field: ${unknown[0]}`;
  const ttl = (value as { ttl_s?: unknown }).ttl_s;
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > MAX_CACHE_TTL_S)) return `ttl_s must be an integer from 1 to ${MAX_CACHE_TTL_S}`;
  return null;
}

/** `webhook: {url}`: where this job's events go (else the API key's default). */
export const WebhookField = (): PropertyDecorator => compose(IsOptional(), ValidateNested(), Type(() => WebhookDto));

/** `cache: false` turns the response cache off for the job; `{ttl_s}` turns it on with that TTL. */
export const CacheField = (): PropertyDecorator => compose(IsOptional(), Satisfies(checkCacheRule));

/** `timeout_s`: the job ends `expired` if not finished this many seconds after submit. */
export const TimeoutField = (): PropertyDecorator => compose(IsOptional(), IsInt(), Min(1), Max(MAX_JOB_TIMEOUT_S));

/** `expires_at`: the same as a Unix time in seconds. */
export const ExpiresAtField = (): PropertyDecorator => compose(IsOptional(), IsInt(), Min(0));

/** `idempotency_key`: the body's alternative to the Idempotency-Key header. */
export const IdempotencyKeyField = (): PropertyDecorator => compose(IsOptional(), IsString(), MinLength(1), MaxLength(256));
