import type { ChatMessage, ChatRequest, ContentPart, FunctionTool, ToolCall, ToolChoice } from '@switchyard/contracts';
import type { AnthropicAssistantBlockParam, AnthropicImageSource, AnthropicTextParam, AnthropicToolChoiceParam, AnthropicToolResultParam, AnthropicUserBlockParam } from './anthropic.types';
import type { AnthropicMessageParamDto, AnthropicMessagesRequestDto, AnthropicToolDto } from './anthropic-messages.dto';

function imageUrl(source: AnthropicImageSource): string {
  return source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
}

function texts(blocks: readonly AnthropicTextParam[]): string {
  return blocks.map((block) => block.text).join('\n');
}

function toolMessage(block: AnthropicToolResultParam): ChatMessage {
  const content = typeof block.content === 'string' ? block.content : texts(block.content ?? []);
  return { role: 'tool', tool_call_id: block.tool_use_id, content };
}

/**
 * A user turn: its tool results first, each a `tool` message (chat has no results inside a user
 * message, and must answer the assistant's calls right after them, as Anthropic also requires),
 * then whatever text and images it holds as one user message.
 */
function userMessages(content: string | AnthropicUserBlockParam[]): ChatMessage[] {
  if (typeof content === 'string') return [{ role: 'user', content }];
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  for (const block of content) {
    if (block.type === 'tool_result') results.push(toolMessage(block));
    else if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else parts.push({ type: 'image_url', image_url: { url: imageUrl(block.source) } });
  }
  return parts.length > 0 ? [...results, { role: 'user', content: parts }] : results;
}

function assistantMessage(content: string | AnthropicAssistantBlockParam[]): ChatMessage {
  if (typeof content === 'string') return { role: 'assistant', content };
  const parts: ContentPart[] = [];
  const calls: ToolCall[] = [];
  for (const block of content) {
    if (block.type === 'text') parts.push({ type: 'text', text: block.text });
    else calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
  }
  return { role: 'assistant', content: parts.length > 0 ? parts : null, ...(calls.length > 0 && { tool_calls: calls }) };
}

function chatMessages(message: AnthropicMessageParamDto): ChatMessage[] {
  return message.role === 'user'
    ? userMessages(message.content as string | AnthropicUserBlockParam[])
    : [assistantMessage(message.content as string | AnthropicAssistantBlockParam[])];
}

function chatTool(tool: AnthropicToolDto): FunctionTool {
  return { type: 'function', function: { name: tool.name, ...(tool.description !== undefined && { description: tool.description }), parameters: tool.input_schema } };
}

const CHOICES: Readonly<Record<'auto' | 'any' | 'none', ToolChoice>> = { auto: 'auto', any: 'required', none: 'none' };

function chatToolChoice(choice: AnthropicToolChoiceParam): ToolChoice {
  return choice.type === 'tool' ? { type: 'function', function: { name: choice.name } } : CHOICES[choice.type];
}

/**
 * An Anthropic Messages request (already validated) as the gateway's chat request, so it runs as
 * the same job a chat completion would. `system` leads as a system message; `metadata.user_id`
 * is chat's `user`; `disable_parallel_tool_use` is `parallel_tool_calls: false`. Dropped:
 * `top_k` (no chat field), `cache_control` hints and a tool result's `is_error` flag.
 */
export function toChatRequest(body: AnthropicMessagesRequestDto): ChatRequest {
  const system = typeof body.system === 'string' ? body.system : texts(body.system ?? []);
  const messages: ChatMessage[] = [...(system !== '' ? [{ role: 'system' as const, content: system }] : []), ...body.messages.flatMap(chatMessages)];
  // IsOptional lets a JSON null through validation, so null means "not given" here as well.
  const choice = body.tool_choice ?? undefined;
  const stop = body.stop_sequences ?? [];
  const tools = body.tools ?? [];
  const serial = choice !== undefined && choice.type !== 'none' && choice.disable_parallel_tool_use === true;
  return {
    model: body.model,
    messages,
    max_tokens: body.max_tokens,
    ...(typeof body.temperature === 'number' && { temperature: body.temperature }),
    ...(typeof body.top_p === 'number' && { top_p: body.top_p }),
    ...(stop.length > 0 && { stop: [...stop] }),
    ...(typeof body.metadata?.user_id === 'string' && { user: body.metadata.user_id }),
    ...(tools.length > 0 && { tools: tools.map(chatTool) }),
    ...(choice !== undefined && { tool_choice: chatToolChoice(choice) }),
    ...(serial && { parallel_tool_calls: false }),
  };
}
