import type { FinishReason } from '@switchyard/contracts';
import type { AnthropicStopReason } from './anthropic.types';

/**
 * Chat's `stop` covers both a natural end and a stop sequence, and the normalized result does not
 * say which, so it reads as `end_turn` (with `stop_sequence: null`).
 */
const STOP_REASONS: Readonly<Record<FinishReason, AnthropicStopReason>> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

export function toStopReason(finish: FinishReason): AnthropicStopReason {
  return Object.hasOwn(STOP_REASONS, finish) ? STOP_REASONS[finish] : 'end_turn';
}
