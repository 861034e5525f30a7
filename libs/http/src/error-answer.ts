import { toAnthropicError, type AnthropicHttpError } from './anthropic/anthropic-error';
import { toHttpError, type HttpErrorResponse } from './http-error';

/** Anthropic's SDKs call these paths and read only Anthropic's error shape. */
const ANTHROPIC_PATH = /^\/v1\/messages(?:[/?#]|$)/;

/**
 * The one place that picks an error's shape, by the request's path: Anthropic's on the
 * Anthropic-compatible routes, OpenAI's everywhere else. By path rather than by route, so errors
 * raised before a route runs (body parsing, authentication, an unknown sub-path) get it too.
 */
export function errorAnswer(url: string, error: unknown): HttpErrorResponse | AnthropicHttpError {
  return ANTHROPIC_PATH.test(url) ? toAnthropicError(error) : toHttpError(error);
}
