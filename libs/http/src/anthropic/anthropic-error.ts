import type { AnthropicErrorBody, AnthropicErrorType } from './anthropic.types';
import { toHttpError } from '../http-error';

/** Anthropic's error type per status; 503 and 504 are the gateway's overload and wait limit. */
const TYPE_BY_STATUS: Readonly<Record<number, AnthropicErrorType>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  503: 'overloaded_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export interface AnthropicHttpError {
  status: number;
  body: AnthropicErrorBody;
  headers: Readonly<Record<string, string>>;
}

/**
 * Any error in Anthropic's shape `{"type":"error","error":{"type","message"}}`. The status and
 * headers (retry-after, the job id) come from toHttpError, so the mapping stays in one place.
 */
export function toAnthropicError(error: unknown): AnthropicHttpError {
  const { status, body, headers } = toHttpError(error);
  const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  return { status, headers, body: { type: 'error', error: { type, message: body.error.message } } };
}
