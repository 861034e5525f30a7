import type { ChatRequest, ResponseFormat } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { converseConversation, type ConverseMessage, type MessageTranslation } from './bedrock-messages';
import { converseToolConfig, type ConverseToolConfig } from './bedrock-tools';

export interface ConverseInferenceConfig {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  stopSequences?: string[];
}

export interface ConverseOutputConfig {
  textFormat: { type: 'json_schema'; structure: { jsonSchema: { schema: string; name?: string; description?: string } } };
}

/** The body of `POST /model/{modelId}/converse`; the model rides in the path, not here. */
export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: ConverseInferenceConfig;
  toolConfig?: ConverseToolConfig;
  outputConfig?: ConverseOutputConfig;
}

/** Converse's temperature range is 0..1; OpenAI's goes to 2. */
const MAX_TEMPERATURE = 1;

function inferenceConfig(request: ChatRequest, t: MessageTranslation): ConverseInferenceConfig | undefined {
  const config: ConverseInferenceConfig = {};
  // Converse does not require a limit (the model's own maximum applies), so none is invented here.
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxTokens = maxTokens;
  if (request.temperature !== undefined) {
    config.temperature = Math.min(request.temperature, MAX_TEMPERATURE);
    if (request.temperature > MAX_TEMPERATURE) t.warn(`${t.provider}: temperature ${request.temperature} is above Bedrock's maximum; sent as ${MAX_TEMPERATURE}`);
  }
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.stop !== undefined) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Structured output: Converse takes the JSON schema as a string, not as an object. */
function outputConfig(format: ResponseFormat | undefined, provider: string): ConverseOutputConfig | undefined {
  if (format?.type !== 'json_schema') return undefined;
  const { name, description, schema } = format.json_schema;
  if (schema === undefined) throw new ProviderError('invalid_request', `${provider}: response_format.json_schema.schema is required by Bedrock`);
  const jsonSchema = { schema: JSON.stringify(schema), name, ...(description !== undefined ? { description } : {}) };
  return { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
}

/** A ChatRequest (already through the param policy) as a Converse request body. */
export function converseRequest(request: ChatRequest, translation: MessageTranslation): ConverseRequestBody {
  const { system, messages } = converseConversation(request.messages, translation);
  const body: ConverseRequestBody = { messages };
  if (system.length > 0) body.system = system;
  const inference = inferenceConfig(request, translation);
  if (inference) body.inferenceConfig = inference;
  const tools = converseToolConfig(request.tools, request.tool_choice, request.messages, translation.provider);
  if (tools) body.toolConfig = tools;
  const output = outputConfig(request.response_format, translation.provider);
  if (output) body.outputConfig = output;
  return body;
}
