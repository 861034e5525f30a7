import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { kindForHttpError } from '../http-error-kind';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import type { ProviderErrorKind } from '../provider-error';
import { readJsonBody } from '../http/read-json-body';

/** Bedrock Runtime's exception names, by what the gateway does about them. */
const EXCEPTION_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  ValidationException: 'invalid_request',
  AccessDeniedException: 'permission',
  // Credential problems, answered before any permission check: a wrong key, secret or token.
  UnrecognizedClientException: 'authentication',
  InvalidSignatureException: 'authentication',
  IncompleteSignature: 'authentication',
  MissingAuthenticationTokenException: 'authentication',
  InvalidClientTokenId: 'authentication',
  ExpiredTokenException: 'authentication',
  ResourceNotFoundException: 'not_found',
  ThrottlingException: 'rate_limited',
  // "You can resubmit your request later": a quota that refills, unlike a bad request.
  ServiceQuotaExceededException: 'rate_limited',
  // The model is still being deployed; nothing the caller's rate has to do with.
  ModelNotReadyException: 'overloaded',
  ModelTimeoutException: 'timeout',
  ModelErrorException: 'server_error',
  // Sent as an event mid-stream when the model fails after it began answering.
  ModelStreamErrorException: 'server_error',
  InternalServerException: 'server_error',
  ServiceUnavailableException: 'overloaded',
};

/**
 * Bedrock has no error codes below the exception name; a ValidationException is told apart by its
 * message ("Input is too long for requested model.", "prompt is too long: 227255 tokens > 200000
 * maximum", "This request has been blocked by our content filters.").
 */
const VALIDATION_REFINEMENTS: ReadonlyArray<[RegExp, ProviderErrorKind]> = [
  [/too long|context (length|window|limit)|too many (input )?tokens|exceeds? the max(imum)? (input|context)/i, 'context_length_exceeded'],
  [/content filter/i, 'content_filter'],
];

const errorBodySchema = z.looseObject({
  message: z.string().optional(),
  Message: z.string().optional(),
  __type: z.string().optional(),
  code: z.string().optional(),
});

/**
 * The restJson1 error type, from the `x-amzn-errortype` header or the body's `__type`/`code`,
 * sanitized as the protocol says: text after a `:` and before a `#` is dropped
 * (`ValidationException:http://internal.amazon.com/coral/...` is `ValidationException`).
 */
export function sanitizeErrorType(raw: string): string {
  const beforeColon = raw.split(':')[0];
  const hash = beforeColon.indexOf('#');
  return (hash >= 0 ? beforeColon.slice(hash + 1) : beforeColon).trim();
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(text: string): z.infer<typeof errorBodySchema> {
  return readJsonBody(errorBodySchema, text) ?? {};
}

export function classifyBedrockError(answer: HttpAnswer): ErrorReading {
  const body = readBody(answer.text);
  const rawType = header(answer.headers, 'x-amzn-errortype') ?? body.__type ?? body.code;
  const type = rawType === undefined ? undefined : sanitizeErrorType(rawType);
  const message = body.message ?? body.Message;
  let kind = (type !== undefined ? EXCEPTION_KINDS[type] : undefined) ?? kindForHttpError(answer.status);
  if (kind === 'invalid_request' && message !== undefined) {
    kind = VALIDATION_REFINEMENTS.find(([pattern]) => pattern.test(message))?.[1] ?? kind;
  }
  return { kind, message: type !== undefined && message !== undefined ? `${type}: ${message}` : (message ?? type) };
}
