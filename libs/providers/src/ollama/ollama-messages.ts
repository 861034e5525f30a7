import type { ChatMessage, ContentPart } from '@switchyard/contracts';
import type { UnsupportedParamPolicy } from '../params/param-policy';
import { ProviderError } from '../provider-error';

export interface OllamaToolCall {
  type: 'function';
  function: { index: number; name: string; arguments: Record<string, unknown> };
}

/** A message of /api/chat: text only, images as raw base64 beside it. */
export interface OllamaMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content?: string;
  images?: string[];
  tool_calls?: OllamaToolCall[];
  tool_name?: string;
}

/** What the translation needs besides the request: who is asking, and how to handle what Ollama cannot take. */
export interface OllamaMessageContext {
  provider: string;
  policy: UnsupportedParamPolicy;
  warn(message: string): void;
}

const DATA_URL = /^data:[^;,]*;base64,(.*)$/s;

/**
 * Ollama takes images only as base64 and cannot fetch a URL, so a URL image is refused, as the
 * param policy refuses images, unless the provider is set to drop what it cannot do.
 */
function base64Images(parts: ContentPart[], ctx: OllamaMessageContext): string[] {
  const images: string[] = [];
  for (const part of parts) {
    if (part.type !== 'image_url') continue;
    const match = DATA_URL.exec(part.image_url.url);
    if (match) images.push(match[1]);
    else if (ctx.policy === 'drop') ctx.warn(`${ctx.provider} takes images only as base64 data URLs; an image URL was dropped`);
    else throw new ProviderError('invalid_request', `${ctx.provider} takes images only as base64 data URLs (data:image/...;base64,...), not http(s) URLs`);
  }
  return images;
}

function textOf(parts: ContentPart[]): string {
  return parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function contentAndImages(message: ChatMessage, ctx: OllamaMessageContext): Pick<OllamaMessage, 'content' | 'images'> {
  const { content } = message;
  if (content === null || typeof content === 'string') return { content: content ?? '' };
  const images = base64Images(content, ctx);
  return { content: textOf(content), ...(images.length > 0 && { images }) };
}

/** OpenAI sends tool arguments as a JSON string; Ollama wants the object. */
function argumentsObject(raw: string, name: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ProviderError('invalid_request', `the arguments of the call to '${name}' are not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function assistantMessage(message: ChatMessage, ctx: OllamaMessageContext): OllamaMessage {
  if (!message.tool_calls?.length) return { role: 'assistant', ...contentAndImages(message, ctx) };
  const { content } = contentAndImages(message, ctx);
  return {
    role: 'assistant',
    ...(content !== '' && { content }),
    tool_calls: message.tool_calls.map((call, index) => ({
      type: 'function',
      function: { index, name: call.function.name, arguments: argumentsObject(call.function.arguments, call.function.name) },
    })),
  };
}

/**
 * Ollama ties a tool result to its call by the function's name (`tool_name`), not by an id, so the
 * name is found in the nearest earlier assistant turn that made the call.
 */
function toolName(messages: ChatMessage[], at: number): string {
  const id = messages[at].tool_call_id;
  for (let i = at - 1; i >= 0; i--) {
    const call = messages[i].tool_calls?.find((candidate) => candidate.id === id);
    if (call) return call.function.name;
  }
  throw new ProviderError('invalid_request', `tool message ${at} answers tool_call_id '${id ?? ''}', which no earlier assistant message made`);
}

export function toOllamaMessages(messages: ChatMessage[], ctx: OllamaMessageContext): OllamaMessage[] {
  return messages.map((message, at): OllamaMessage => {
    switch (message.role) {
      case 'system':
      case 'developer':
        return { role: 'system', ...contentAndImages(message, ctx) };
      case 'user':
        return { role: 'user', ...contentAndImages(message, ctx) };
      case 'assistant':
        return assistantMessage(message, ctx);
      case 'tool':
        return { role: 'tool', tool_name: toolName(messages, at), content: contentAndImages(message, ctx).content };
    }
  });
}
