import type { ChatMessage, FunctionTool, ToolChoice } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';

export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface ConverseToolConfig {
  tools: Array<{ toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } }>;
  toolChoice?: ConverseToolChoice;
}

/** OpenAI's `parameters` may be left out for a function without arguments; Converse requires a schema. */
const NO_PARAMETERS: Record<string, unknown> = { type: 'object', properties: {} };

function toolChoice(choice: Exclude<ToolChoice, 'none'>): ConverseToolChoice {
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  return { tool: { name: choice.function.name } };
}

function historyUsesTools(messages: readonly ChatMessage[]): boolean {
  return messages.some((m) => m.role === 'tool' || (m.tool_calls?.length ?? 0) > 0);
}

/**
 * Converse's toolConfig. It has no "none" choice: a model that is not told about any tool cannot call
 * one, so `none` sends no tools, which Converse only accepts while the history holds no tool turns.
 */
export function converseToolConfig(
  tools: readonly FunctionTool[] | undefined,
  choice: ToolChoice | undefined,
  messages: readonly ChatMessage[],
  provider: string,
): ConverseToolConfig | undefined {
  if (!tools?.length) return undefined;
  if (choice === 'none') {
    if (!historyUsesTools(messages)) return undefined;
    throw new ProviderError('invalid_request', `${provider}: tool_choice "none" cannot be expressed on Bedrock in a conversation that already used tools`);
  }
  return {
    tools: tools.map(({ function: fn }) => ({
      toolSpec: {
        name: fn.name,
        ...(fn.description !== undefined ? { description: fn.description } : {}),
        inputSchema: { json: fn.parameters ?? NO_PARAMETERS },
      },
    })),
    ...(choice !== undefined ? { toolChoice: toolChoice(choice) } : {}),
  };
}
