import { mockFailure } from '@switchyard/providers';
import type { FailureOptions, FailureWriter, FamilyFailure } from '../mock-call';

/**
 * vLLM's own ErrorResponse, `{"object": "error", "message", "type", "param", "code": <status>}`;
 * behind `--api-key` its middleware answers `{"error": "Unauthorized"}`. It marks a prompt too long
 * for the model only in words.
 */
const VLLM_TYPES: Readonly<Record<number, string>> = { 400: 'BadRequestError', 404: 'NotFoundError', 500: 'InternalServerError' };

function vllmFailure(status: number, options: FailureOptions): FamilyFailure {
  // Rate limits come from whatever proxy sits in front of vLLM, in OpenAI's shape.
  if (status === 429) return mockFailure(status, options);
  if (status === 401) return { status, headers: {}, body: { error: 'Unauthorized' } };
  const message =
    status === 400 && options.code === 'context_length_exceeded'
      ? "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion."
      : (options.message ?? `Simulated failure: the mock was told to answer ${status}.`);
  return { status, headers: {}, body: { object: 'error', message, type: VLLM_TYPES[status] ?? 'BadRequestError', param: null, code: status } };
}

/** DeepSeek writes OpenAI's shape but says "context length" only in the message, under a generic code. */
function deepseekFailure(status: number, options: FailureOptions): FamilyFailure {
  if (status !== 400 || options.code !== 'context_length_exceeded') return mockFailure(status, options);
  const message =
    "This model's maximum context length is 65536 tokens. However, you requested 70412 tokens (70412 in the messages, 0 in the completion). Please reduce the length of the messages or completion.";
  return { status, headers: {}, body: { error: { message, type: 'invalid_request_error', param: null, code: 'invalid_request_error' } } };
}

/** Servers whose errors differ from OpenAI's; every other server name answers in OpenAI's shape. */
const FAILURES: Readonly<Record<string, FailureWriter>> = { vllm: vllmFailure, deepseek: deepseekFailure };

export function compatibleFailure(server: string): FailureWriter {
  return Object.hasOwn(FAILURES, server) ? FAILURES[server] : mockFailure;
}
