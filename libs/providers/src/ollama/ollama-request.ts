import type { ChatRequest, FunctionTool, ResponseFormat } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { toOllamaMessages, type OllamaMessage, type OllamaMessageContext } from './ollama-messages';
import type { OllamaOptions } from './ollama-options';

export interface OllamaTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

/** Sampling and length settings, which /api/chat takes inside `options`. */
export interface OllamaModelOptions {
  temperature?: number;
  top_p?: number;
  num_predict?: number;
  stop?: string[];
  seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
}

/** The body of POST /api/chat; stream() sets `stream` to true. */
export interface OllamaChatBody {
  model: string;
  messages: OllamaMessage[];
  stream: boolean;
  tools?: OllamaTool[];
  format?: 'json' | Record<string, unknown>;
  options?: OllamaModelOptions;
  keep_alive?: string | number;
}

/** A function without parameters is, in JSON Schema, an object with none; Ollama requires the field. */
const NO_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

function toOllamaTool(tool: FunctionTool): OllamaTool {
  const { name, description, parameters } = tool.function;
  return { type: 'function', function: { name, ...(description !== undefined && { description }), parameters: parameters ?? NO_PARAMETERS } };
}

/**
 * Ollama has no tool_choice: the model always decides. `none` is said by offering no tools; a
 * forced call cannot be said at all, so it is refused unless the provider drops what it cannot do.
 */
function tools(request: ChatRequest, ctx: OllamaMessageContext): OllamaTool[] | undefined {
  const choice = request.tool_choice;
  if (!request.tools?.length || choice === 'none') return undefined;
  if (choice === 'required' || typeof choice === 'object') {
    if (ctx.policy !== 'drop') throw new ProviderError('invalid_request', `${ctx.provider} cannot force a tool call (tool_choice)`);
    ctx.warn(`${ctx.provider} cannot force a tool call; tool_choice dropped`);
  }
  if (request.tools.some((tool) => tool.function.strict === true)) ctx.warn(`${ctx.provider} has no strict tool schemas; strict ignored`);
  return request.tools.map(toOllamaTool);
}

/** `json` for JSON mode; a JSON schema object for structured output. */
function format(responseFormat: ResponseFormat | undefined): OllamaChatBody['format'] {
  if (responseFormat?.type === 'json_object') return 'json';
  if (responseFormat?.type === 'json_schema') return responseFormat.json_schema.schema ?? 'json';
  return undefined;
}

function modelOptions(request: ChatRequest): OllamaModelOptions | undefined {
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  const options: OllamaModelOptions = {
    ...(request.temperature !== undefined && { temperature: request.temperature }),
    ...(request.top_p !== undefined && { top_p: request.top_p }),
    ...(maxTokens !== undefined && { num_predict: maxTokens }),
    // Older Ollama versions read `stop` only as a list.
    ...(request.stop !== undefined && { stop: typeof request.stop === 'string' ? [request.stop] : request.stop }),
    ...(request.seed !== undefined && { seed: request.seed }),
    ...(request.presence_penalty !== undefined && { presence_penalty: request.presence_penalty }),
    ...(request.frequency_penalty !== undefined && { frequency_penalty: request.frequency_penalty }),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}

/** The /api/chat body for a normalized request (already filtered by the param policy). */
export function toOllamaChatBody(request: ChatRequest, model: string, settings: OllamaOptions, ctx: OllamaMessageContext): OllamaChatBody {
  const offered = tools(request, ctx);
  const responseFormat = format(request.response_format);
  const options = modelOptions(request);
  return {
    model,
    messages: toOllamaMessages(request.messages, ctx),
    stream: false,
    ...(offered !== undefined && { tools: offered }),
    ...(responseFormat !== undefined && { format: responseFormat }),
    ...(options !== undefined && { options }),
    ...(settings.keep_alive !== undefined && { keep_alive: settings.keep_alive }),
  };
}
