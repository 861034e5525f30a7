import type { FailureOptions, FamilyFailure } from '../mock-call';

/**
 * Gemini's failures as the Gemini API writes them: google.rpc.Status JSON
 * (`{"error":{"code","message","status","details"}}`), with the wait of a 429 in a RetryInfo detail
 * rather than a retry-after header. The directive's `error_code` picks the cases the status alone
 * does not tell:
 *
 * - `context_length_exceeded`: 400 INVALID_ARGUMENT with Gemini's "input token count exceeds" message;
 * - `content_filter`, or a blockReason (`SAFETY`, `OTHER`, `BLOCKLIST`, `PROHIBITED_CONTENT`,
 *   `IMAGE_SAFETY`): a blocked prompt, which Gemini answers with **200**, promptFeedback.blockReason
 *   and no candidates, whatever status the directive named;
 * - `API_KEY_INVALID`: the 400 Gemini sends for a wrong key;
 * - any other value: the canonical `status` string of the body (e.g. `FAILED_PRECONDITION`).
 */

const TYPE = 'type.googleapis.com/google.rpc.';

/** Canonical status and Gemini's usual wording for each HTTP status. */
const STATUSES: Readonly<Record<number, { status: string; message: string }>> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
  },
  403: { status: 'PERMISSION_DENIED', message: "Your API key doesn't have the required permissions." },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  429: {
    status: 'RESOURCE_EXHAUSTED',
    message: 'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
  },
  500: { status: 'INTERNAL', message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

const BLOCK_REASONS: ReadonlySet<string> = new Set(['SAFETY', 'OTHER', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'IMAGE_SAFETY']);

const CONTEXT_LENGTH_MESSAGE = 'The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).';
const API_KEY_INVALID_MESSAGE = 'API key not valid. Please pass a valid API key.';

export function googleError(code: number, status: string, message: string, details?: unknown[]): FamilyFailure {
  return { status: code, headers: {}, body: { error: { code, message, status, ...(details ? { details } : {}) } } };
}

/** The 429's details: which quota ran out, where to read about it, and (when asked) how long to wait. */
function quotaDetails(model: string, retryAfterS: number | undefined): unknown[] {
  return [
    {
      '@type': `${TYPE}QuotaFailure`,
      violations: [
        {
          quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
          quotaId: 'GenerateRequestsPerMinutePerProjectPerModel-FreeTier',
          quotaDimensions: { location: 'global', model },
        },
      ],
    },
    { '@type': `${TYPE}Help`, links: [{ description: 'Learn more about Gemini API quotas', url: 'https://ai.google.dev/gemini-api/docs/rate-limits' }] },
    ...(retryAfterS === undefined ? [] : [{ '@type': `${TYPE}RetryInfo`, retryDelay: `${retryAfterS}s` }]),
  ];
}

/**
 * A wrong key: 400 with ErrorInfo API_KEY_INVALID. Google's DebugInfo may echo the key it got;
 * the mock echoes it whole, so that tests prove adapters keep keys out of stored errors.
 */
export function apiKeyInvalid(presented: string): FamilyFailure {
  return googleError(400, 'INVALID_ARGUMENT', API_KEY_INVALID_MESSAGE, [
    { '@type': `${TYPE}ErrorInfo`, reason: 'API_KEY_INVALID', domain: 'googleapis.com', metadata: { service: 'generativelanguage.googleapis.com' } },
    { '@type': `${TYPE}LocalizedMessage`, locale: 'en-US', message: API_KEY_INVALID_MESSAGE },
    { '@type': `${TYPE}DebugInfo`, detail: `Invalid API key: ${presented}` },
  ]);
}

/** No key at all: Google refuses callers without an identity. */
export function missingKey(): FamilyFailure {
  return googleError(
    403,
    'PERMISSION_DENIED',
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  );
}

function blockedPrompt(blockReason: string, model: string): FamilyFailure {
  return {
    status: 200,
    headers: {},
    body: { promptFeedback: { blockReason }, modelVersion: model },
  };
}

/** The failure a directive or a server default asked for, as Gemini would send it for `model`. */
export function geminiFailure(status: number, options: FailureOptions, model: string): FamilyFailure {
  const code = options.code;
  if (code === 'content_filter') return blockedPrompt('PROHIBITED_CONTENT', model);
  if (code !== undefined && BLOCK_REASONS.has(code)) return blockedPrompt(code, model);
  if (code === 'context_length_exceeded') return googleError(400, 'INVALID_ARGUMENT', CONTEXT_LENGTH_MESSAGE);
  if (code === 'API_KEY_INVALID') return apiKeyInvalid('(the key)');
  const known = STATUSES[status];
  const message = options.message ?? known?.message ?? `Simulated failure: the mock was told to answer ${status}.`;
  return googleError(status, code ?? known?.status ?? 'UNKNOWN', message, status === 429 ? quotaDetails(model, options.retryAfterS) : undefined);
}
