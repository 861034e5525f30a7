import type { HttpAnswer, HttpCall, ProviderHttpClient } from '../http/provider-http-client';
import { ProviderError } from '../provider-error';
import { classifyGeminiError } from './gemini-error';

function failure(http: ProviderHttpClient, answer: HttpAnswer): ProviderError {
  const reading = classifyGeminiError(answer);
  const error = http.httpFailure(answer, reading);
  if (error.retryAfterMs !== undefined || reading.retryDelayMs === undefined) return error;
  return new ProviderError(error.kind, error.message, { status: error.status, retryAfterMs: reading.retryDelayMs, body: error.body });
}

/**
 * ProviderHttpClient.json for Gemini: the same flow, except that a failure also takes its wait from
 * Google's RetryInfo, since Gemini states it in the error body rather than in a retry-after header.
 */
export async function postGemini(http: ProviderHttpClient, call: HttpCall): Promise<{ json: unknown; answer: HttpAnswer }> {
  const answer = await http.send(call);
  if (answer.status < 200 || answer.status >= 300) throw failure(http, answer);
  try {
    return { json: JSON.parse(answer.text) as unknown, answer };
  } catch {
    throw http.badResponse(answer, 'a body that is not JSON');
  }
}
