import type { ProviderErrorKind } from './provider-error';

/**
 * The OpenAI error codes that change what a 400 means. OpenAI's codes are the lingua franca:
 * most OpenAI-compatible servers (vLLM, llama.cpp, Azure, gateways) reuse them.
 */
const CODE_KINDS: Readonly<Record<string, ProviderErrorKind>> = {
  context_length_exceeded: 'context_length_exceeded',
  string_above_max_length: 'context_length_exceeded',
  content_filter: 'content_filter',
  content_policy_violation: 'content_filter',
};

/** Classifies a non-2xx answer by its HTTP status, refined by the provider's error code when it has one. */
export function kindForHttpError(status: number, code?: string | null): ProviderErrorKind {
  if (status === 400) return (code ? CODE_KINDS[code] : undefined) ?? 'invalid_request';
  switch (status) {
    case 401:
      return 'authentication';
    case 403:
      return 'permission';
    case 404:
      return 'not_found';
    case 408:
      return 'timeout';
    case 413:
    case 422:
      return 'invalid_request';
    case 429:
      return 'rate_limited';
    // 529 is Anthropic's "overloaded"; some proxies pass it through.
    case 503:
    case 529:
      return 'overloaded';
  }
  if (status >= 500) return 'server_error';
  if (status >= 400) return 'invalid_request';
  return 'unknown';
}
