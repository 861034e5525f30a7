import { z } from 'zod';
import { kindForHttpError } from '../http-error-kind';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import type { ProviderErrorKind } from '../provider-error';
import { readJsonBody } from '../http/read-json-body';

/** `{"type":"error","error":{"type","message"},"request_id"}`: Anthropic's one error shape. */
const errorBodySchema = z.object({
  error: z.object({ type: z.string(), message: z.string().nullish() }),
});

/**
 * Anthropic's error types that settle the class on their own. `invalid_request_error` (also used
 * "for other 4XX status codes") and `api_error` are generic, so the status decides those.
 */
const TYPE_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  authentication_error: 'authentication',
  permission_error: 'permission',
  // Payment trouble on this account: retrying will not help, another provider may.
  billing_error: 'permission',
  not_found_error: 'not_found',
  request_too_large: 'invalid_request',
  rate_limit_error: 'rate_limited',
  timeout_error: 'timeout',
  overloaded_error: 'overloaded',
};

/** The message of a prompt over the context window: "prompt is too long: 201000 tokens > 200000 maximum". */
const PROMPT_TOO_LONG = /prompt is too long/i;

function readBody(text: string): { type: string; message?: string } | undefined {
  const body = readJsonBody(errorBodySchema, text);
  return body && { type: body.error.type, message: body.error.message ?? undefined };
}

export function classifyAnthropicError(answer: HttpAnswer): ErrorReading {
  const error = readBody(answer.text);
  if (!error) return { kind: kindForHttpError(answer.status) };
  if (error.type === 'invalid_request_error' && error.message !== undefined && PROMPT_TOO_LONG.test(error.message)) {
    return { kind: 'context_length_exceeded', message: error.message };
  }
  const kind = Object.hasOwn(TYPE_KINDS, error.type) ? TYPE_KINDS[error.type] : kindForHttpError(answer.status);
  return { kind, message: error.message };
}
