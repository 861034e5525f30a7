import { mockStreamPieces } from '@switchyard/providers';
import { argumentFragments, sseEvent } from '../sse';
import { content, final, other, type FamilyStream, type StreamFrame } from '../stream-writer';
import type { AnthropicMockBlock, AnthropicMockMessage } from './anthropic-message';

/** An Anthropic stream event: named by its type, which the data repeats. */
const event = (type: string, data: object = {}): string => sseEvent({ type, ...data }, type);

/** Anthropic's mid-stream failure, as its streaming docs show it: an `error` event (here, overloaded). */
const OVERLOADED = event('error', { error: { type: 'overloaded_error', message: 'Overloaded' } });

function blockFrames(block: AnthropicMockBlock, index: number): StreamFrame[] {
  if (block.type === 'text') {
    return [
      other(event('content_block_start', { index, content_block: { type: 'text', text: '' } })),
      ...mockStreamPieces(block.text).map((text) => content(event('content_block_delta', { index, delta: { type: 'text_delta', text } }))),
      other(event('content_block_stop', { index })),
    ];
  }
  return [
    // The block's start names the tool: to a reader it is already part of the answer.
    content(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } })),
    ...argumentFragments(JSON.stringify(block.input)).map((partial_json) =>
      content(event('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json } })),
    ),
    other(event('content_block_stop', { index })),
  ];
}

/**
 * A message as the Messages API streams it: message_start (usage so far), a ping, each block's
 * start, deltas (text_delta per word, input_json_delta fragments) and stop, then message_delta with
 * the stop reason and the cumulative output tokens, and message_stop.
 */
export function anthropicStream(message: AnthropicMockMessage): FamilyStream {
  const start = { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: message.usage.input_tokens, output_tokens: 1 } };
  return {
    contentType: 'text/event-stream; charset=utf-8',
    frames: [
      other(event('message_start', { message: start })),
      other(event('ping')),
      ...message.content.flatMap(blockFrames),
      final(event('message_delta', { delta: { stop_reason: message.stop_reason, stop_sequence: message.stop_sequence }, usage: { output_tokens: message.usage.output_tokens } })),
      final(event('message_stop')),
    ],
    error: OVERLOADED,
  };
}
