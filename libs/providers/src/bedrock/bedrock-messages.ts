import type { ChatMessage, ContentPart, ToolCall } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { converseImage, isDataUrl, type ConverseImage } from './bedrock-image';

export type ConverseContentBlock =
  | { text: string }
  | { image: ConverseImage }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { toolResult: { toolUseId: string; content: Array<{ text: string }> } };

export interface ConverseMessage {
  role: 'user' | 'assistant';
  content: ConverseContentBlock[];
}

export interface ConverseConversation {
  system: Array<{ text: string }>;
  messages: ConverseMessage[];
}

export interface MessageTranslation {
  provider: string;
  /** Converse cannot fetch an image URL: drop such images (with a warning) or refuse the request. */
  urlImages: 'drop' | 'reject';
  warn(message: string): void;
}

function parts(content: ChatMessage['content']): ContentPart[] {
  if (content === null) return [];
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

/** Converse refuses blank text blocks, so empty strings are left out rather than sent. */
function textBlocks(content: ChatMessage['content'], role: string, provider: string): Array<{ text: string }> {
  return parts(content).flatMap((part) => {
    if (part.type !== 'text') throw new ProviderError('invalid_request', `${provider}: ${role} messages can only carry text`);
    return part.text.trim() === '' ? [] : [{ text: part.text }];
  });
}

function userBlocks(content: ChatMessage['content'], t: MessageTranslation): ConverseContentBlock[] {
  const blocks: ConverseContentBlock[] = [];
  let dropped = 0;
  for (const part of parts(content)) {
    if (part.type === 'text') {
      if (part.text.trim() !== '') blocks.push({ text: part.text });
    } else if (isDataUrl(part.image_url.url)) {
      blocks.push({ image: converseImage(part.image_url.url, t.provider) });
    } else if (t.urlImages === 'drop') {
      dropped++;
    } else {
      throw new ProviderError('invalid_request', `${t.provider} does not support image URLs (Bedrock takes image bytes: send a base64 data URL)`);
    }
  }
  if (dropped > 0) t.warn(`${t.provider} does not support image URLs; ${dropped} image(s) dropped`);
  return blocks;
}

function toolUse(call: ToolCall, provider: string): ConverseContentBlock {
  let input: unknown;
  try {
    input = call.function.arguments.trim() === '' ? {} : JSON.parse(call.function.arguments);
  } catch {
    throw new ProviderError('invalid_request', `${provider}: the arguments of tool call ${call.id} are not JSON`);
  }
  return { toolUse: { toolUseId: call.id, name: call.function.name, input } };
}

function toolResult(message: ChatMessage, provider: string): ConverseContentBlock {
  if (!message.tool_call_id) throw new ProviderError('invalid_request', `${provider}: a tool message needs its tool_call_id`);
  const text = parts(message.content)
    .flatMap((part) => (part.type === 'text' ? [part.text] : []))
    .join('\n');
  return { toolResult: { toolUseId: message.tool_call_id, content: [{ text }] } };
}

type Translated = { role: 'system'; text: Array<{ text: string }> } | { role: ConverseMessage['role']; blocks: ConverseContentBlock[] };

/** One OpenAI message as Converse blocks, or as system text. */
function translate(message: ChatMessage, t: MessageTranslation): Translated {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', text: textBlocks(message.content, message.role, t.provider) };
    case 'user':
      return { role: 'user', blocks: userBlocks(message.content, t) };
    case 'assistant':
      return {
        role: 'assistant',
        blocks: [...textBlocks(message.content, 'assistant', t.provider), ...(message.tool_calls ?? []).map((call) => toolUse(call, t.provider))],
      };
    case 'tool':
      // Converse carries tool results as blocks of a user turn.
      return { role: 'user', blocks: [toolResult(message, t.provider)] };
  }
}

/**
 * The conversation in Converse's shape: system text lifted out to `system` (Converse has no system
 * role), and consecutive turns of one role merged, because Converse requires user and assistant to
 * alternate; the results of parallel tool calls thus share one user turn.
 */
export function converseConversation(messages: readonly ChatMessage[], t: MessageTranslation): ConverseConversation {
  const system: Array<{ text: string }> = [];
  const turns: ConverseMessage[] = [];
  for (const message of messages) {
    const turn = translate(message, t);
    if (turn.role === 'system') {
      system.push(...turn.text);
      continue;
    }
    if (turn.blocks.length === 0) continue;
    const last = turns.at(-1);
    if (last?.role === turn.role) last.content.push(...turn.blocks);
    else turns.push({ role: turn.role, content: turn.blocks });
  }
  return { system, messages: turns };
}
