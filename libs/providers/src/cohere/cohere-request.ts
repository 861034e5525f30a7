import type { ChatRequest, FunctionTool, ResponseFormat, ToolChoice } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { toCohereMessages, type CohereMessage } from './cohere-messages';

export interface CohereTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

export interface CohereResponseFormat {
  type: 'json_object';
  json_schema?: Record<string, unknown>;
}

/** The body of POST /v2/chat; stream() sets `stream` to true. */
export interface CohereChatBody {
  model: string;
  messages: CohereMessage[];
  stream: boolean;
  tools?: CohereTool[];
  strict_tools?: boolean;
  tool_choice?: 'REQUIRED' | 'NONE';
  response_format?: CohereResponseFormat;
  temperature?: number;
  p?: number;
  max_tokens?: number;
  stop_sequences?: string[];
  seed?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
}

function toCohereTool(tool: FunctionTool): CohereTool {
  const { name, description, parameters } = tool.function;
  return { type: 'function', function: { name, ...(description !== undefined && { description }), ...(parameters !== undefined && { parameters }) } };
}

/**
 * Cohere knows only REQUIRED and NONE; leaving tool_choice out is OpenAI's `auto`. Forcing one
 * named function is REQUIRED with that function as the only tool offered.
 */
function toolsAndChoice(tools: FunctionTool[] | undefined, choice: ToolChoice | undefined): Pick<CohereChatBody, 'tools' | 'strict_tools' | 'tool_choice'> {
  if (!tools?.length) return {};
  let offered = tools;
  if (typeof choice === 'object') {
    offered = tools.filter((tool) => tool.function.name === choice.function.name);
    if (offered.length === 0) throw new ProviderError('invalid_request', `tool_choice names '${choice.function.name}', which is not among the tools`);
  }
  // strict_tools applies to every tool at once, so it is set only when every tool asked for it.
  const strict = offered.every((tool) => tool.function.strict === true);
  const forced = choice === 'required' || typeof choice === 'object';
  return {
    tools: offered.map(toCohereTool),
    ...(strict && { strict_tools: true }),
    ...(forced && { tool_choice: 'REQUIRED' as const }),
    ...(choice === 'none' && { tool_choice: 'NONE' as const }),
  };
}

/** Both of OpenAI's JSON modes are Cohere's json_object; a schema rides along in json_schema. */
function responseFormat(format: ResponseFormat | undefined): CohereResponseFormat | undefined {
  if (format?.type === 'json_object') return { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const schema = format.json_schema.schema;
    return { type: 'json_object', ...(schema !== undefined && { json_schema: schema }) };
  }
  return undefined;
}

/** The Chat v2 body for a normalized request (already filtered by the param policy). */
export function toCohereChatBody(request: ChatRequest, model: string): CohereChatBody {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const format = responseFormat(request.response_format);
  return {
    model,
    messages: toCohereMessages(request.messages),
    stream: false,
    ...toolsAndChoice(request.tools, request.tool_choice),
    ...(format !== undefined && { response_format: format }),
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.top_p !== undefined && { p: request.top_p }),
    ...(maxTokens !== undefined && { max_tokens: maxTokens }),
    ...(request.stop !== undefined && { stop_sequences: typeof request.stop === 'string' ? [request.stop] : request.stop }),
    ...(request.seed !== undefined && { seed: request.seed }),
    ...(request.frequency_penalty !== undefined && { frequency_penalty: request.frequency_penalty }),
    ...(request.presence_penalty !== undefined && { presence_penalty: request.presence_penalty }),
  };
}
