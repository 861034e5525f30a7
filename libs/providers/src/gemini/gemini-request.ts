import type { ChatRequest, FunctionTool, ResponseFormat, ToolChoice } from '@switchyard/contracts';
import { toGeminiContents } from './gemini-contents';
import type { GeminiFunctionDeclaration, GeminiGenerateContentRequest, GeminiGenerationConfig, GeminiToolConfig } from './gemini-wire';

type NumericField = 'temperature' | 'top_p' | 'seed' | 'n' | 'presence_penalty' | 'frequency_penalty';
type NumericConfigField = 'temperature' | 'topP' | 'seed' | 'candidateCount' | 'presencePenalty' | 'frequencyPenalty';

/** Our numeric sampling fields and their generationConfig names; the values carry over unchanged. */
const NUMERIC_FIELDS: ReadonlyArray<readonly [NumericField, NumericConfigField]> = [
  ['temperature', 'temperature'],
  ['top_p', 'topP'],
  ['seed', 'seed'],
  ['n', 'candidateCount'],
  ['presence_penalty', 'presencePenalty'],
  ['frequency_penalty', 'frequencyPenalty'],
];

const MODES: Readonly<Record<Exclude<ToolChoice, object>, GeminiToolConfig['functionCallingConfig']['mode']>> = {
  none: 'NONE',
  auto: 'AUTO',
  required: 'ANY',
};

function responseFormatConfig(format: ResponseFormat | undefined): GeminiGenerationConfig {
  switch (format?.type) {
    case 'json_object':
      return { responseMimeType: 'application/json' };
    case 'json_schema': {
      const schema = format.json_schema.schema;
      return { responseMimeType: 'application/json', ...(schema !== undefined ? { responseJsonSchema: schema } : {}) };
    }
    default:
      return {};
  }
}

function generationConfig(request: ChatRequest): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  for (const [ours, theirs] of NUMERIC_FIELDS) {
    const value = request[ours];
    if (value !== undefined) config[theirs] = value;
  }
  // Gemini has no required output limit, so none is invented when the request sets none.
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.stop !== undefined) config.stopSequences = typeof request.stop === 'string' ? [request.stop] : request.stop;
  Object.assign(config, responseFormatConfig(request.response_format));
  return Object.keys(config).length > 0 ? config : undefined;
}

function functionDeclaration(tool: FunctionTool): GeminiFunctionDeclaration {
  const { name, description, parameters } = tool.function;
  return {
    name,
    ...(description !== undefined ? { description } : {}),
    ...(parameters !== undefined ? { parametersJsonSchema: parameters } : {}),
  };
}

function toolConfig(choice: ToolChoice): GeminiToolConfig {
  if (typeof choice === 'string') return { functionCallingConfig: { mode: MODES[choice] } };
  return { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: [choice.function.name] } };
}

/** The generateContent body for a request that applyParamPolicy has already cleared. */
export function toGeminiRequest(request: ChatRequest, provider: string): GeminiGenerateContentRequest {
  const config = generationConfig(request);
  return {
    ...toGeminiContents(request.messages, provider),
    ...(request.tools?.length ? { tools: [{ functionDeclarations: request.tools.map(functionDeclaration) }] } : {}),
    ...(request.tool_choice !== undefined ? { toolConfig: toolConfig(request.tool_choice) } : {}),
    ...(config !== undefined ? { generationConfig: config } : {}),
  };
}
