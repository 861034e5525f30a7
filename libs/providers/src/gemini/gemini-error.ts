import { z } from 'zod';
import { kindForHttpError } from '../http-error-kind';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import type { ProviderErrorKind } from '../provider-error';
import { readJsonBody } from '../http/read-json-body';

/** Google's error shape (google.rpc.Status as JSON); `details` holds typed messages such as RetryInfo. */
const googleErrorSchema = z.object({
  error: z.object({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z
      .array(
        z.looseObject({
          '@type': z.string().optional(),
          reason: z.string().optional(),
          retryDelay: z.string().optional(),
        }),
      )
      .optional(),
  }),
});

/** Google's canonical codes as the Gemini API reports them, which say more than the HTTP status. */
const STATUS_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  INVALID_ARGUMENT: 'invalid_request',
  // "Gemini API free tier is not available in your country": the account, not the request, is at fault.
  FAILED_PRECONDITION: 'permission',
  UNAUTHENTICATED: 'authentication',
  PERMISSION_DENIED: 'permission',
  NOT_FOUND: 'not_found',
  RESOURCE_EXHAUSTED: 'rate_limited',
  INTERNAL: 'server_error',
  UNAVAILABLE: 'overloaded',
  DEADLINE_EXCEEDED: 'timeout',
};

/** ErrorInfo reasons that change the class: a bad key comes back as 400 INVALID_ARGUMENT. */
const REASON_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  API_KEY_INVALID: 'authentication',
};

/** "The input token count (1200293) exceeds the maximum number of tokens allowed (1048576)." */
const CONTEXT_LENGTH = /input token count .*exceeds the maximum/i;

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
/** A google.protobuf.Duration in JSON: seconds with an optional fraction, then `s`. */
const DURATION = /^(\d+(?:\.\d+)?)s$/;

export interface GeminiErrorInfo {
  message?: string;
  status?: string;
  reasons: string[];
  /** From RetryInfo: Gemini tells the wait in the body, not in a retry-after header. */
  retryDelayMs?: number;
}

function parseBody(text: string): z.infer<typeof googleErrorSchema> | undefined {
  // Some Google front ends wrap the error in a one-element array.
  return readJsonBody(googleErrorSchema, text, (json) => (Array.isArray(json) ? json[0] : json));
}

function durationMs(value: string | undefined): number | undefined {
  const seconds = value === undefined ? undefined : DURATION.exec(value.trim())?.[1];
  return seconds === undefined ? undefined : Math.ceil(Number(seconds) * 1000);
}

export function readGeminiError(text: string): GeminiErrorInfo {
  const error = parseBody(text)?.error;
  if (!error) return { reasons: [] };
  const details = error.details ?? [];
  return {
    message: error.message,
    status: error.status,
    reasons: details.flatMap((detail) => (detail.reason === undefined ? [] : [detail.reason])),
    retryDelayMs: durationMs(details.find((detail) => detail['@type'] === RETRY_INFO)?.retryDelay),
  };
}

function kindOf(httpStatus: number, info: GeminiErrorInfo): ProviderErrorKind {
  const byReason = info.reasons.find((reason) => Object.hasOwn(REASON_KINDS, reason));
  if (byReason !== undefined) return REASON_KINDS[byReason];
  if (httpStatus === 400 && info.message !== undefined && CONTEXT_LENGTH.test(info.message)) return 'context_length_exceeded';
  if (info.status !== undefined && Object.hasOwn(STATUS_KINDS, info.status)) return STATUS_KINDS[info.status];
  return kindForHttpError(httpStatus);
}

/** A non-2xx Gemini answer classified by its ErrorInfo reason, its message, its canonical status, then its HTTP status. */
export function classifyGeminiError(answer: HttpAnswer): ErrorReading {
  const info = readGeminiError(answer.text);
  return { kind: kindOf(answer.status, info), message: info.message, retryAfterMs: info.retryDelayMs };
}
