import type { ChatMessage, ContentPart } from '@switchyard/contracts';
import {
  AnthropicShapeError,
  type AnthropicBlock,
  type AnthropicImageSource,
  type AnthropicMessage,
  type AnthropicTextBlock,
  type AnthropicToolUseBlock,
} from './anthropic-wire';

/** The Messages API keeps the system prompt out of the turns. */
export interface AnthropicConversation {
  system?: string;
  messages: AnthropicMessage[];
}

// `[^]` rather than the `s` flag keeps base64 with line breaks whole.
const BASE64_DATA_URL = /^data:([^;,]+);base64,([^]*)$/;

function imageSource(url: string): AnthropicImageSource {
  const data = BASE64_DATA_URL.exec(url);
  if (data) return { type: 'base64', media_type: data[1], data: data[2] };
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  // The URL itself is left out of the message: a data URL can be megabytes long.
  throw new AnthropicShapeError('an image must be an http(s) URL or a base64 data URL');
}

function partBlock(part: ContentPart): AnthropicBlock {
  // Anthropic has no `detail` knob; it sizes images itself.
  return part.type === 'text' ? { type: 'text', text: part.text } : { type: 'image', source: imageSource(part.image_url.url) };
}

function contentBlocks(content: ChatMessage['content']): AnthropicBlock[] {
  if (content === null) return [];
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map(partBlock);
}

function textOnly(content: ChatMessage['content']): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function toolUse(call: NonNullable<ChatMessage['tool_calls']>[number]): AnthropicToolUseBlock {
  let input: unknown;
  try {
    input = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new AnthropicShapeError(`tool call ${call.id}: arguments must be a JSON object (Anthropic sends tool input as an object)`);
  }
  return { type: 'tool_use', id: call.id, name: call.function.name, input: input as Record<string, unknown> };
}

function toolResultContent(content: ChatMessage['content']): string | AnthropicTextBlock[] | undefined {
  if (content === null) return undefined;
  if (typeof content === 'string') return content;
  return content.flatMap((part): AnthropicTextBlock[] => (part.type === 'text' ? [{ type: 'text', text: part.text }] : []));
}

/** One chat message as a turn of blocks; undefined for system and developer messages, which are not turns. */
function turnOf(message: ChatMessage): { role: AnthropicMessage['role']; blocks: AnthropicBlock[] } | undefined {
  switch (message.role) {
    case 'system':
    case 'developer':
      return undefined;
    case 'user':
      return { role: 'user', blocks: contentBlocks(message.content) };
    case 'assistant':
      return { role: 'assistant', blocks: [...contentBlocks(message.content), ...(message.tool_calls ?? []).map(toolUse)] };
    case 'tool': {
      if (!message.tool_call_id) throw new AnthropicShapeError('a tool message needs a tool_call_id');
      const content = toolResultContent(message.content);
      // Tool results travel in a user turn: Anthropic has no tool role.
      return { role: 'user', blocks: [{ type: 'tool_result', tool_use_id: message.tool_call_id, ...(content !== undefined ? { content } : {}) }] };
    }
  }
}

/**
 * System and developer messages, wherever they stand, become the one `system` prompt; the rest
 * become alternating turns. Consecutive same-role messages are merged (a tool result followed by
 * the user's next words is one user turn, results first, as Anthropic requires).
 */
export function toAnthropicConversation(messages: readonly ChatMessage[]): AnthropicConversation {
  const system: string[] = [];
  const turns: Array<{ role: AnthropicMessage['role']; blocks: AnthropicBlock[] }> = [];
  for (const message of messages) {
    const turn = turnOf(message);
    if (turn === undefined) {
      system.push(textOnly(message.content));
      continue;
    }
    if (turn.blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.blocks.push(...turn.blocks);
    else turns.push(turn);
  }
  return {
    ...(system.length > 0 ? { system: system.join('\n\n') } : {}),
    messages: turns.map(({ role, blocks }) => ({
      role,
      // A lone text block goes as a plain string, the shape of Anthropic's own examples.
      content: blocks.length === 1 && blocks[0].type === 'text' ? blocks[0].text : blocks,
    })),
  };
}
