import type { ChatCompletionChunk, ToolCallDelta, Usage } from '@switchyard/contracts';
import type { AnthropicResponseBlock, AnthropicStopReason, AnthropicStreamEvent } from './anthropic.types';
import { toStopReason } from './stop-reason';
import { toAnthropicUsage } from './to-anthropic-message';

export interface EventStreamContext {
  /** The message id (messageIdOf the job). */
  id: string;
  /** Named in message_start when the stream ends before any chunk says which model answered. */
  model: string;
}

/**
 * Anthropic streams one content block at a time: a start, its deltas, a stop. Chat streams text
 * and tool calls as deltas of one message; each new kind of delta (text after a call, the next
 * call) closes the open block and starts the next.
 */
class ContentBlocks {
  private count = 0;
  private open: { index: number; kind: 'text' | number } | null = null;
  /** Chat tool-call index to block index. */
  private readonly tools = new Map<number, number>();

  constructor(private readonly id: string) {}

  text(text: string): AnthropicStreamEvent[] {
    const events = this.open?.kind === 'text' ? [] : this.start({ type: 'text', text: '' }, 'text');
    return [...events, { type: 'content_block_delta', index: this.count - 1, delta: { type: 'text_delta', text } }];
  }

  toolCall(delta: ToolCallDelta): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    let index = this.tools.get(delta.index);
    if (index === undefined) {
      const id = delta.id ?? `toolu_${this.id.replace(/^msg_/, '')}_${delta.index}`;
      events.push(...this.start({ type: 'tool_use', id, name: delta.function?.name ?? '', input: {} }, delta.index));
      index = this.count - 1;
      this.tools.set(delta.index, index);
    }
    const args = delta.function?.arguments;
    if (args) events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: args } });
    return events;
  }

  close(): AnthropicStreamEvent[] {
    if (this.open === null) return [];
    const { index } = this.open;
    this.open = null;
    return [{ type: 'content_block_stop', index }];
  }

  private start(block: AnthropicResponseBlock, kind: 'text' | number): AnthropicStreamEvent[] {
    const events = this.close();
    const index = this.count++;
    this.open = { index, kind };
    return [...events, { type: 'content_block_start', index, content_block: block }];
  }
}

function messageStart(id: string, model: string): AnthropicStreamEvent {
  const usage = { input_tokens: 0, output_tokens: 0, cache_creation_input_tokens: null, cache_read_input_tokens: null };
  return { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } };
}

/**
 * A chat chunk stream (its first choice) as Anthropic's stream events: message_start, content
 * blocks (text_delta; tool calls as input_json_delta), message_delta with the stop reason and the
 * usage, message_stop. Usage comes last in chat, so message_start says 0 tokens and message_delta
 * carries the totals, input tokens too, as Anthropic's newer streams do.
 */
export async function* toAnthropicEvents(chunks: AsyncIterable<ChatCompletionChunk>, ctx: EventStreamContext): AsyncGenerator<AnthropicStreamEvent> {
  const blocks = new ContentBlocks(ctx.id);
  let started = false;
  let stopReason: AnthropicStopReason | null = null;
  let usage: Usage | undefined;
  for await (const chunk of chunks) {
    if (!started) {
      started = true;
      yield messageStart(ctx.id, chunk.model);
    }
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices.find((candidate) => candidate.index === 0);
    if (!choice) continue;
    const { content, refusal, tool_calls: toolCalls } = choice.delta;
    for (const text of [content, refusal]) if (text) yield* blocks.text(text);
    for (const call of toolCalls ?? []) yield* blocks.toolCall(call);
    if (choice.finish_reason) stopReason = toStopReason(choice.finish_reason);
  }
  if (!started) yield messageStart(ctx.id, ctx.model);
  yield* blocks.close();
  yield {
    type: 'message_delta',
    delta: { stop_reason: stopReason ?? 'end_turn', stop_sequence: null },
    usage: usage ? toAnthropicUsage(usage) : { output_tokens: 0 },
  };
  yield { type: 'message_stop' };
}
