import type { MockChatInput, MockMessage } from '@switchyard/providers';
import { z } from 'zod';

const textBlock = z.looseObject({ text: z.string().optional() });

/** Only what the mock reads or Bedrock itself insists on is checked; other fields pass. */
export const converseBodySchema = z.looseObject({
  messages: z
    .array(
      z.looseObject({
        role: z.enum(['user', 'assistant']),
        content: z.array(z.looseObject({ text: z.string().optional(), toolResult: z.looseObject({ content: z.array(textBlock) }).optional() })).min(1),
      }),
    )
    .min(1),
  system: z.array(textBlock).optional(),
  inferenceConfig: z.looseObject({ maxTokens: z.number().int().min(1).optional() }).optional(),
  toolConfig: z
    .looseObject({
      tools: z.array(z.looseObject({ toolSpec: z.looseObject({ name: z.string() }) })).min(1),
      toolChoice: z.looseObject({ any: z.object({}).optional(), tool: z.object({ name: z.string() }).optional() }).optional(),
    })
    .optional(),
});

export type ConverseBody = z.infer<typeof converseBodySchema>;

/** Bedrock's own wording for the conversation shapes it refuses. */
export function conversationProblem(body: ConverseBody): string | undefined {
  if (body.messages[0].role !== 'user') {
    return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
  }
  if (body.messages.some((message, i) => i > 0 && body.messages[i - 1].role === message.role)) {
    return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
  }
  return undefined;
}

function texts(blocks: ReadonlyArray<z.infer<typeof textBlock>>): Array<{ type: 'text'; text: string }> {
  return blocks.flatMap((block) => (block.text !== undefined ? [{ type: 'text' as const, text: block.text }] : []));
}

/** The request as mockCompletion reads it: system and turn text (tool results included), and the token limit. */
export function mockInputOf(body: ConverseBody): MockChatInput {
  const messages: MockMessage[] = [];
  if (body.system?.length) messages.push({ role: 'system', content: texts(body.system) });
  for (const message of body.messages) {
    const content = message.content.flatMap((block) => [...texts([block]), ...texts(block.toolResult?.content ?? [])]);
    messages.push({ role: message.role, content });
  }
  return { messages, max_tokens: body.inferenceConfig?.maxTokens };
}

/** The tool a request makes the model call: the named one, or the first for `any`. */
export function forcedTool(body: ConverseBody): string | undefined {
  const config = body.toolConfig;
  if (config?.toolChoice?.tool) return config.toolChoice.tool.name;
  if (config?.toolChoice?.any) return config.tools[0].toolSpec.name;
  return undefined;
}
