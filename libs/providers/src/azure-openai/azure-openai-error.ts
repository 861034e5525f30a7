import { z } from 'zod';
import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import { classifyOpenAIError } from '../openai/openai-adapter';
import { readJsonBody } from '../http/read-json-body';

/** Azure's content-filter refusal: `{"error": {"code": "content_filter", "innererror": {"code": "ResponsibleAIPolicyViolation", ...}}}`. */
const innerErrorSchema = z.object({
  error: z.object({ innererror: z.object({ code: z.string().nullish() }).nullish() }),
});

const CONTENT_FILTER_INNER_CODE = 'ResponsibleAIPolicyViolation';

function innerErrorCode(text: string): string | undefined {
  return readJsonBody(innerErrorSchema, text)?.error.innererror?.code ?? undefined;
}

/**
 * Azure answers in OpenAI's error shape (its `code` is sometimes the status as a string, "429"), so
 * OpenAI's reading applies; a prompt its content filter refused is recognised by the inner error
 * code too, since that is the part Azure documents as stable.
 */
export function classifyAzureOpenAIError(answer: HttpAnswer): ErrorReading {
  const reading = classifyOpenAIError(answer);
  if (answer.status === 400 && innerErrorCode(answer.text) === CONTENT_FILTER_INNER_CODE) return { ...reading, kind: 'content_filter' };
  return reading;
}
