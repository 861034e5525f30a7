import type { ChatMessage, ChatRole, ContentPart, ImageContentPart } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';

export interface CohereTextItem {
  type: 'text';
  text: string;
}

/** Cohere takes OpenAI's image part as is: an http(s) URL or a base64 data URL, with an optional detail. */
export type CohereUserItem = CohereTextItem | ImageContentPart;

export interface CohereToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type CohereMessage =
  | { role: 'system'; content: string | CohereTextItem[] }
  | { role: 'user'; content: string | CohereUserItem[] }
  | { role: 'assistant'; content?: string | CohereTextItem[]; tool_calls?: CohereToolCall[]; tool_plan?: string }
  | { role: 'tool'; tool_call_id: string; content: string | CohereTextItem[] };

function textItems(parts: ContentPart[], role: ChatRole): CohereTextItem[] {
  return parts.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    throw new ProviderError('invalid_request', `cohere takes images only in user messages, not in a ${role} message`);
  });
}

function text(message: ChatMessage): string | CohereTextItem[] {
  if (message.content === null) return '';
  return typeof message.content === 'string' ? message.content : textItems(message.content, message.role);
}

function plainText(message: ChatMessage): string {
  const content = text(message);
  return typeof content === 'string' ? content : content.map((item) => item.text).join('\n');
}

function userMessage(message: ChatMessage): CohereMessage {
  const { content } = message;
  if (content === null || typeof content === 'string') return { role: 'user', content: content ?? '' };
  return { role: 'user', content: content.map((part): CohereUserItem => (part.type === 'text' ? { type: 'text', text: part.text } : part)) };
}

/**
 * An OpenAI assistant turn that calls tools may carry text beside the calls; in Cohere that text is
 * the `tool_plan` (the model's stated plan before calling), which is also where it comes back from.
 */
function assistantMessage(message: ChatMessage): CohereMessage {
  if (!message.tool_calls?.length) return { role: 'assistant', content: text(message) };
  const plan = plainText(message);
  return {
    role: 'assistant',
    tool_calls: message.tool_calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } })),
    ...(plan !== '' && { tool_plan: plan }),
  };
}

function toolMessage(message: ChatMessage): CohereMessage {
  if (message.tool_call_id === undefined) throw new ProviderError('invalid_request', 'a tool message needs a tool_call_id');
  return { role: 'tool', tool_call_id: message.tool_call_id, content: text(message) };
}

/** One converter per role; `developer` is OpenAI's newer name for the system role. */
const BY_ROLE: Readonly<Record<ChatRole, (message: ChatMessage) => CohereMessage>> = {
  system: (message) => ({ role: 'system', content: text(message) }),
  developer: (message) => ({ role: 'system', content: text(message) }),
  user: userMessage,
  assistant: assistantMessage,
  tool: toolMessage,
};

export function toCohereMessages(messages: ChatMessage[]): CohereMessage[] {
  return messages.map((message) => BY_ROLE[message.role](message));
}
