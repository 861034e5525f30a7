import type { ChatMessage, ToolCall } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';
import { imagePart } from './gemini-image';
import type { GeminiContent, GeminiFunctionCallPart, GeminiFunctionResponsePart, GeminiPart, GeminiTextPart } from './gemini-wire';

/**
 * Put on the first functionCall of every replayed model turn. Gemini 3 and the thinking 2.5 models
 * answer 400 when a replayed call lacks the thought signature the model attached to it; our
 * OpenAI-shaped tool calls have nowhere to carry one, and Google documents this value for history
 * the caller cannot sign (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const UNSIGNED_THOUGHT = 'skip_thought_signature_validator';

export interface GeminiConversation {
  systemInstruction?: { parts: GeminiTextPart[] };
  contents: GeminiContent[];
}

type Content = ChatMessage['content'];

function textOf(content: Content): string {
  if (content === null) return '';
  if (typeof content === 'string') return content;
  return content.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join('\n');
}

function textParts(content: Content): GeminiPart[] {
  const text = textOf(content);
  // Gemini rejects a part with empty text, and an assistant turn that only calls tools has none.
  return text ? [{ text }] : [];
}

function userParts(content: Content): GeminiPart[] {
  if (!Array.isArray(content)) return textParts(content);
  return content.map((part) => (part.type === 'text' ? { text: part.text } : imagePart(part.image_url.url)));
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function callArgs(call: ToolCall, provider: string): Record<string, unknown> {
  if (call.function.arguments.trim() === '') return {};
  let args: unknown;
  try {
    args = JSON.parse(call.function.arguments);
  } catch {
    args = undefined;
  }
  if (!isPlainObject(args)) {
    throw new ProviderError('invalid_request', `${provider}: the arguments of tool call '${call.id}' are not a JSON object, which Gemini requires`);
  }
  return args;
}

function modelParts(message: ChatMessage, provider: string): GeminiPart[] {
  const calls = (message.tool_calls ?? []).map(
    (call, position): GeminiFunctionCallPart => ({
      functionCall: { name: call.function.name, args: callArgs(call, provider) },
      ...(position === 0 ? { thoughtSignature: UNSIGNED_THOUGHT } : {}),
    }),
  );
  return [...textParts(message.content), ...calls];
}

/** Gemini's function response must be a JSON object; any other tool output is wrapped as `output`, the key Google suggests. */
function responseObject(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (isPlainObject(value)) return value;
  } catch {
    // not JSON: plain text output
  }
  return { output: text };
}

function toolResultPart(message: ChatMessage, callNames: ReadonlyMap<string, string>, provider: string): GeminiFunctionResponsePart {
  // Gemini matches a response to its call by function name, which OpenAI's tool message does not carry.
  const name = (message.tool_call_id === undefined ? undefined : callNames.get(message.tool_call_id)) ?? message.name;
  if (name === undefined) {
    throw new ProviderError('invalid_request', `${provider}: tool message '${message.tool_call_id ?? ''}' answers no tool call of an earlier assistant message`);
  }
  return { functionResponse: { name, response: responseObject(textOf(message.content)) } };
}

/**
 * One run of same-role turns becomes one content: Gemini wants the results of one model turn's
 * parallel calls together in a single user turn, and joining adjacent user texts changes nothing.
 */
function appendTurn(contents: GeminiContent[], role: GeminiContent['role'], parts: GeminiPart[]): void {
  if (parts.length === 0) return;
  const last = contents.at(-1);
  if (last?.role === role) last.parts.push(...parts);
  else contents.push({ role, parts });
}

/**
 * OpenAI messages as Gemini contents: system and developer messages become the system instruction
 * (wherever they stand), assistant turns the `model` role, tool results `user` turns of functionResponse parts.
 */
export function toGeminiContents(messages: readonly ChatMessage[], provider: string): GeminiConversation {
  const system: GeminiTextPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  for (const message of messages) {
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = textOf(message.content);
        if (text) system.push({ text });
        break;
      }
      case 'user':
        appendTurn(contents, 'user', userParts(message.content));
        break;
      case 'assistant':
        for (const call of message.tool_calls ?? []) callNames.set(call.id, call.function.name);
        appendTurn(contents, 'model', modelParts(message, provider));
        break;
      case 'tool':
        appendTurn(contents, 'user', [toolResultPart(message, callNames, provider)]);
        break;
    }
  }
  return { ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}), contents };
}
