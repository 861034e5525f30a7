import type { FunctionTool, ResponseFormat, ToolChoice } from '@switchyard/contracts';
import { AnthropicShapeError, type AnthropicTool, type AnthropicToolChoice } from './anthropic-wire';

// Anthropic requires an input schema; OpenAI lets a function without parameters omit it.
const NO_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

export function toAnthropicTools(tools: readonly FunctionTool[]): AnthropicTool[] {
  return tools.map(({ function: fn }) => ({
    name: fn.name,
    ...(fn.description !== undefined ? { description: fn.description } : {}),
    input_schema: fn.parameters ?? NO_PARAMETERS,
  }));
}

const CHOICE_TYPES: Readonly<Record<Exclude<ToolChoice, object>, 'auto' | 'any' | 'none'>> = {
  auto: 'auto',
  required: 'any',
  none: 'none',
};

/**
 * OpenAI's tool_choice and parallel_tool_calls in Anthropic's one `tool_choice` object:
 * `parallel_tool_calls: false` is its `disable_parallel_tool_use: true`, which `none` does not take.
 */
export function toAnthropicToolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): AnthropicToolChoice | undefined {
  const serial = parallel === false ? { disable_parallel_tool_use: true } : {};
  if (choice === undefined) return parallel === false ? { type: 'auto', ...serial } : undefined;
  if (typeof choice === 'object') return { type: 'tool', name: choice.function.name, ...serial };
  const type = CHOICE_TYPES[choice];
  return type === 'none' ? { type } : { type, ...serial };
}

/** The forced tool that carries a json_schema answer, and the tool_choice that forces it. */
export interface StructuredOutputTool {
  tool: AnthropicTool;
  choice: AnthropicToolChoice;
}

/**
 * The classic Messages API has no response_format. Its documented way to a JSON answer of a given
 * shape is a tool whose input_schema is that shape, forced with tool_choice: the model's tool input
 * is then the answer. The tool name is the json_schema name, which OpenAI restricts to the same
 * characters Anthropic allows in tool names.
 */
export function structuredOutputTool(format: Extract<ResponseFormat, { type: 'json_schema' }>, userTools: boolean): StructuredOutputTool {
  if (userTools) {
    throw new AnthropicShapeError('response_format json_schema is sent to Anthropic as a forced tool call, so it cannot be combined with tools');
  }
  const { name, description, schema } = format.json_schema;
  return {
    tool: {
      name,
      description: description ?? 'Answer by calling this tool: its input is the answer, a JSON object that matches the schema.',
      input_schema: schema ?? { type: 'object' },
    },
    choice: { type: 'tool', name },
  };
}
