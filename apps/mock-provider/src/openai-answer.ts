import { newUlid, type ChatCompletion, type ChatCompletionChoice } from '@switchyard/contracts';
import { z } from 'zod';

/** The request fields that shape an OpenAI-style answer beyond mockCompletion's text. */
const shapingSchema = z.looseObject({
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  tools: z.array(z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }) })).nullish(),
  tool_choice: z.union([z.string(), z.looseObject({ type: z.string(), function: z.looseObject({ name: z.string() }) })]).nullish(),
});

type Shaping = z.infer<typeof shapingSchema>;

/** The function a request forces: a named one, or with `required` the first tool. */
function forcedFunction(body: Shaping): string | undefined {
  const choice = body.tool_choice;
  if (typeof choice === 'object' && choice !== null) return choice.function.name;
  if (choice === 'required') return body.tools?.[0]?.function.name;
  return undefined;
}

/** The reply up to the earliest stop sequence, which OpenAI leaves out of the content. */
function cutAtStop(text: string, stop: Shaping['stop']): { text: string; cut: boolean } {
  const sequences = typeof stop === 'string' ? [stop] : (stop ?? []);
  let at = -1;
  for (const sequence of sequences) {
    const found = sequence === '' ? -1 : text.indexOf(sequence);
    if (found >= 0 && (at < 0 || found < at)) at = found;
  }
  return at < 0 ? { text, cut: false } : { text: text.slice(0, at), cut: true };
}

function words(text: string): number {
  return text.split(/\s+/).filter((word) => word.length > 0).length;
}

function shapeChoice(choice: ChatCompletionChoice, body: Shaping, tool: string | undefined): ChatCompletionChoice {
  const content = choice.message.content ?? '';
  if (tool !== undefined && choice.finish_reason !== 'length') {
    // The reply text is the call's arguments (`#mock{"text": "{...}"}`), so tool calls can be tested.
    const call = { id: `call_mock_${newUlid()}`, type: 'function' as const, function: { name: tool, arguments: content } };
    return { ...choice, message: { role: 'assistant', content: null, refusal: null, tool_calls: [call] }, finish_reason: 'tool_calls' };
  }
  const { text, cut } = cutAtStop(content, body.stop);
  return cut ? { ...choice, message: { ...choice.message, content: text }, finish_reason: 'stop' } : choice;
}

/**
 * mockCompletion's answer as an OpenAI-shaped server gives it: a request forcing a function
 * (tool_choice `required` or a named function) gets a tool call whose arguments are the reply, and
 * stop sequences cut the reply where they first occur. Other requests pass through unchanged.
 */
export function shapeOpenAIAnswer(rawBody: unknown, completion: ChatCompletion): ChatCompletion {
  const parsed = shapingSchema.safeParse(rawBody);
  if (!parsed.success) return completion;
  const body = parsed.data;
  const tool = forcedFunction(body);
  if (tool === undefined && !body.stop) return completion;
  const choices = completion.choices.map((choice) => shapeChoice(choice, body, tool));
  const completionTokens = choices.reduce((sum, choice) => sum + words(choice.message.content ?? choice.message.tool_calls?.[0]?.function.arguments ?? ''), 0);
  const usage = { ...completion.usage, completion_tokens: completionTokens, total_tokens: completion.usage.prompt_tokens + completionTokens };
  return { ...completion, choices, usage };
}
