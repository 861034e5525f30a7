import { z } from 'zod';
import { kindForHttpError } from '../http-error-kind';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import type { ProviderErrorKind } from '../provider-error';
import { readJsonBody } from '../http/read-json-body';

/** `{"message": ...}` per Cohere's error reference (sometimes with an `id`); its OpenAPI spec also names `data`. */
const errorBodySchema = z.union([z.object({ message: z.string() }), z.object({ data: z.string() })]);

/** Statuses Cohere uses beyond the shared table, or with a meaning of its own. */
const STATUS_KINDS: Readonly<Record<number, ProviderErrorKind>> = {
  // Billing limit reached or no payment method: this account cannot pay, another provider can.
  402: 'permission',
  // "A request or response contains a deny-listed token."
  498: 'content_filter',
  // Cohere's "request cancelled". Our own aborts never read a status (they end as `canceled` in the
  // HTTP client), so this one came from Cohere's side, and its docs say to try again.
  499: 'server_error',
  // A feature Cohere has not implemented: retrying cannot help, another provider might.
  501: 'unknown',
  504: 'timeout',
};

/** Cohere says a prompt or an output limit was too large by starting the 400 message so. */
const CONTEXT_LENGTH_MESSAGE = /^too many tokens/i;

function errorMessage(text: string): string | undefined {
  const body = readJsonBody(errorBodySchema, text);
  if (!body) return undefined;
  return 'message' in body ? body.message : body.data;
}

export function classifyCohereError(answer: HttpAnswer): ErrorReading {
  const message = errorMessage(answer.text);
  if (answer.status === 400 && message !== undefined && CONTEXT_LENGTH_MESSAGE.test(message)) {
    return { kind: 'context_length_exceeded', message };
  }
  return { kind: STATUS_KINDS[answer.status] ?? kindForHttpError(answer.status), message };
}
