/**
 * Why a provider call failed, in classes the gateway acts on: retry on the same target,
 * fall back to the next one, or fail the job at once.
 */
export type { ProviderErrorKind } from '@switchyard/contracts';
import type { ProviderErrorKind } from '@switchyard/contracts';

const RETRYABLE: ReadonlySet<ProviderErrorKind> = new Set(['timeout', 'network', 'rate_limited', 'server_error', 'overloaded', 'bad_response']);
/** Errors another provider might not have: worth moving the job to the next target. */
const FALLBACK: ReadonlySet<ProviderErrorKind> = new Set([
  'timeout', 'network', 'rate_limited', 'server_error', 'overloaded', 'authentication', 'permission', 'not_found', 'bad_response', 'unknown',
]);

const MAX_BODY_CHARS = 2048;

export interface ProviderErrorDetails {
  status?: number;
  retryAfterMs?: number;
  /** The provider's response body; stored truncated and scrubbed of anything key-like. */
  body?: string;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly retryable: boolean;
  readonly fallback: boolean;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly body?: string;

  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    details: ProviderErrorDetails = {},
  ) {
    super(message, { cause: details.cause });
    this.name = 'ProviderError';
    this.retryable = RETRYABLE.has(kind);
    this.fallback = FALLBACK.has(kind);
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.body = details.body === undefined ? undefined : scrubSecrets(details.body).slice(0, MAX_BODY_CHARS);
  }
}

/**
 * Providers sometimes echo part of the key they were sent ("Incorrect API key provided: sk-ab***");
 * none of that may reach a job record.
 */
export function scrubSecrets(text: string): string {
  return text
    .replace(/\b(sk|pk|rk|key|api[_-]?key)[-_][A-Za-z0-9_*\-]{6,}/gi, '[redacted]')
    .replace(/(bearer\s+)[^\s"']+/gi, '$1[redacted]');
}
