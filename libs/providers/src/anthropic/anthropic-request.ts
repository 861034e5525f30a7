import type { ChatRequest } from '@switchyard/contracts';
import { toAnthropicConversation } from './anthropic-messages';
import { structuredOutputTool, toAnthropicToolChoice, toAnthropicTools } from './anthropic-tools';
import type { AnthropicMessagesRequest } from './anthropic-wire';

/** Anthropic's documented temperature range is 0.0 to 1.0; OpenAI's goes to 2. */
const MAX_TEMPERATURE = 1;

export interface AnthropicCall {
  body: AnthropicMessagesRequest;
  /** Set when response_format json_schema became a forced tool: its input is the answer's content. */
  structuredOutputTool?: string;
}

export interface AnthropicRequestContext {
  model: string;
  /** Used when the request sets no limit: the Messages API requires max_tokens. */
  defaultMaxTokens: number;
  warn(message: string): void;
}

function temperature(request: ChatRequest, warn: (message: string) => void): number | undefined {
  if (request.temperature === undefined || request.temperature <= MAX_TEMPERATURE) return request.temperature;
  warn(`temperature ${request.temperature} is above Anthropic's maximum of ${MAX_TEMPERATURE}; sent as ${MAX_TEMPERATURE}`);
  return MAX_TEMPERATURE;
}

function stopSequences(stop: ChatRequest['stop']): string[] | undefined {
  if (stop === undefined) return undefined;
  return typeof stop === 'string' ? [stop] : [...stop];
}

/**
 * A ChatRequest (already through the param policy) as a Messages API body. Throws
 * AnthropicShapeError for what the API cannot take (an image URL of another scheme, tool
 * arguments that are not an object, json_schema together with tools).
 */
export function toAnthropicRequest(request: ChatRequest, ctx: AnthropicRequestContext): AnthropicCall {
  const { system, messages } = toAnthropicConversation(request.messages);
  const tools = request.tools?.length ? toAnthropicTools(request.tools) : undefined;
  const structured = request.response_format?.type === 'json_schema' ? structuredOutputTool(request.response_format, tools !== undefined) : undefined;
  // tool_choice without tools is meaningless to Anthropic, as it is to OpenAI.
  const toolChoice = structured?.choice ?? (tools ? toAnthropicToolChoice(request.tool_choice, request.parallel_tool_calls) : undefined);
  const stop = stopSequences(request.stop);
  const temp = temperature(request, ctx.warn);
  const body: AnthropicMessagesRequest = {
    model: ctx.model,
    max_tokens: request.max_completion_tokens ?? request.max_tokens ?? ctx.defaultMaxTokens,
    messages,
    ...(system !== undefined ? { system } : {}),
    ...(temp !== undefined ? { temperature: temp } : {}),
    ...(request.top_p !== undefined ? { top_p: request.top_p } : {}),
    ...(stop !== undefined ? { stop_sequences: stop } : {}),
    // Anthropic's documented place for an opaque end-user id.
    ...(request.user !== undefined ? { metadata: { user_id: request.user } } : {}),
    ...(structured ? { tools: [structured.tool] } : tools ? { tools } : {}),
    ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
  };
  return { body, ...(structured ? { structuredOutputTool: structured.tool.name } : {}) };
}
