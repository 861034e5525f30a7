import { newUlid } from '@switchyard/contracts';
import type { FailureOptions, FamilyFailure } from '../mock-call';
import type { AnthropicMockMessage } from './anthropic-message';

/** The error type Anthropic documents for each status, with a short message (the real one for 401 and 529). */
const ERRORS: Readonly<Record<number, { type: string; message: string }>> = {
  400: { type: 'invalid_request_error', message: 'Invalid request' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  402: { type: 'billing_error', message: 'Billing error' },
  403: { type: 'permission_error', message: 'Permission denied' },
  404: { type: 'not_found_error', message: 'Not found' },
  409: { type: 'conflict_error', message: 'Conflict' },
  413: { type: 'request_too_large', message: 'Request exceeds the maximum allowed number of bytes.' },
  429: { type: 'rate_limit_error', message: 'Rate limited' },
  500: { type: 'api_error', message: 'Internal server error' },
  504: { type: 'timeout_error', message: 'Request timeout' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** `#mock{"error_code": ...}` values that have an Anthropic counterpart. */
const CONTEXT_LENGTH = 'context_length_exceeded';
const REFUSAL_CODES: ReadonlySet<string> = new Set(['content_filter', 'refusal']);

function requestId(): string {
  return `req_mock_${newUlid()}`;
}

function errorFailure(status: number, type: string, message: string, headers: Record<string, string> = {}): FamilyFailure {
  const id = requestId();
  return { status, headers: { 'request-id': id, ...headers }, body: { type: 'error', error: { type, message }, request_id: id } };
}

/**
 * Anthropic does not fail a request it will not answer: it answers 200 with stop_reason
 * `refusal`. So the content-filter "failure" is that message.
 */
export function refusalMessage(model: string): AnthropicMockMessage {
  return {
    id: `msg_mock_${newUlid()}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [],
    stop_reason: 'refusal',
    stop_sequence: null,
    usage: { input_tokens: 0, output_tokens: 0 },
  };
}

function refusal(model: string): FamilyFailure {
  return { status: 200, headers: { 'request-id': requestId() }, body: refusalMessage(model) };
}

/**
 * A failure in Anthropic's shape: `{"type":"error","error":{"type","message"},"request_id"}` with
 * its `request-id` header, and `retry-after` (whole seconds) on a 429. `error_code` picks the
 * cases a status alone does not: `context_length_exceeded` (a 400 saying "prompt is too long")
 * and `content_filter`/`refusal` (a 200 refusal). Other codes are refused loudly.
 */
export function anthropicFailure(status: number, options: FailureOptions, model: string): FamilyFailure {
  const { code } = options;
  if (code !== undefined && REFUSAL_CODES.has(code)) return refusal(model);
  if (code === CONTEXT_LENGTH) return errorFailure(400, 'invalid_request_error', 'prompt is too long: 201000 tokens > 200000 maximum');
  if (code !== undefined) {
    return errorFailure(400, 'invalid_request_error', `#mock error_code '${code}' has no Anthropic equivalent (known: ${CONTEXT_LENGTH}, ${[...REFUSAL_CODES].join(', ')})`);
  }
  const shape = ERRORS[status] ?? (status >= 500 ? ERRORS[500] : ERRORS[400]);
  const headers: Record<string, string> = status === 429 && options.retryAfterS !== undefined ? { 'retry-after': String(Math.ceil(options.retryAfterS)) } : {};
  return errorFailure(status, shape.type, options.message ?? shape.message, headers);
}
