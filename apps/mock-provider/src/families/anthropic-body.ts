import type { MockChatInput, MockMessage } from '@switchyard/providers';
import { z } from 'zod';

const textPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const blockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  name: z.string().optional(),
  // tool_result content: a string or text blocks.
  content: z.union([z.string(), z.array(textPartSchema)]).optional(),
});

/** Only what the mock reads is checked; the rest of a Messages API body is accepted and ignored. */
export const messagesBodySchema = z.looseObject({
  model: z.string().min(1),
  max_tokens: z.number().int().nonnegative(),
  messages: z
    .array(z.looseObject({ role: z.enum(['user', 'assistant']), content: z.union([z.string(), z.array(blockSchema)]) }))
    .min(1),
  system: z.union([z.string(), z.array(textPartSchema)]).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(z.looseObject({ name: z.string() })).optional(),
  tool_choice: z.looseObject({ type: z.string(), name: z.string().optional() }).optional(),
  stream: z.boolean().optional(),
});

export type MessagesBody = z.infer<typeof messagesBodySchema>;
type Block = z.infer<typeof blockSchema>;

function partsText(content: string | ReadonlyArray<{ text?: string }> | undefined): string {
  if (content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.text !== undefined ? [part.text] : [])).join('\n');
}

/** A tool result reads as text, so the echo model answers a tool-result turn with the result. */
function mockPart(block: Block): { type: string; text?: string } {
  if (block.type === 'text') return { type: 'text', text: block.text };
  if (block.type === 'tool_result') return { type: 'text', text: partsText(block.content) };
  return { type: block.type };
}

/** The body in the shape mockCompletion reads; the system prompt counts towards prompt tokens as a message would. */
export function mockInputOf(body: MessagesBody): MockChatInput {
  const messages: MockMessage[] = body.messages.map((message) => ({
    role: message.role,
    content: typeof message.content === 'string' ? message.content : message.content.map(mockPart),
  }));
  const system = partsText(body.system);
  return { messages: system ? [{ role: 'system', content: system }, ...messages] : messages, max_tokens: body.max_tokens };
}
