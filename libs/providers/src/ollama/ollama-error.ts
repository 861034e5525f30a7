import { z } from 'zod';
import { kindForHttpError } from '../http-error-kind';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import { readJsonBody } from '../http/read-json-body';

/** Ollama's error body: `{"error": "..."}`. */
const errorBodySchema = z.object({ error: z.string() });

/**
 * "the input length exceeds the context length": a 400 from recent Ollama versions, a 500 from
 * older ones, so the words decide rather than the status.
 */
const CONTEXT_LENGTH_MESSAGE = /exceeds the (maximum )?context length/i;

function errorMessage(text: string): string | undefined {
  return readJsonBody(errorBodySchema, text)?.error;
}

/** Ollama's statuses follow the shared table: 400, 401, 403, 404 (unknown model), 429, 500, 502, 503 (queue full). */
export function classifyOllamaError(answer: HttpAnswer): ErrorReading {
  const message = errorMessage(answer.text);
  if (message !== undefined && CONTEXT_LENGTH_MESSAGE.test(message)) return { kind: 'context_length_exceeded', message };
  return { kind: kindForHttpError(answer.status), message };
}
