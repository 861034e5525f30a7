import type { ErrorReading, HttpAnswer } from '../http/provider-http-client';
import { classifyOpenAIError } from '../openai/openai-adapter';

/**
 * Servers that only say it in words: vLLM and DeepSeek ("This model's maximum context length is
 * 4096 tokens. However, you requested ..."), Mistral ("... too large for model with 32768 maximum
 * context length"), Fireworks ("The prompt is too long: ..., model maximum context length: ...").
 */
const CONTEXT_LENGTH_WORDS = /maximum context length|context window/i;

/** OpenAI's reading, plus a context-length refusal recognised by its message where no code marks it. */
export function classifyCompatibleError(answer: HttpAnswer): ErrorReading {
  const reading = classifyOpenAIError(answer);
  if (reading.kind === 'invalid_request' && answer.status === 400 && reading.message && CONTEXT_LENGTH_WORDS.test(reading.message)) {
    return { ...reading, kind: 'context_length_exceeded' };
  }
  return reading;
}
