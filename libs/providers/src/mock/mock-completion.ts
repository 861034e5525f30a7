import { newUlid, type ChatCompletion, type FinishReason } from '@switchyard/contracts';
import { z } from 'zod';

/**
 * The pure half of both mocks (the in-process MockAdapter and apps/mock-provider): what to answer and
 * how to misbehave, decided from the request alone, so the two answer a request identically.
 */

const MARKER = '#mock{';
const DEFAULT_LOREM_TOKENS = 16;
/** Keeps a typo like `tokens: 1e9` from exhausting memory. */
const MAX_TOKENS = 100_000;

const directiveSchema = z.strictObject({
  latency_ms: z.number().nonnegative().optional(),
  tokens: z.number().int().nonnegative().max(MAX_TOKENS).optional(),
  text: z.string().optional(),
  status: z.number().int().min(400).max(599).optional(),
  retry_after_s: z.number().nonnegative().optional(),
  hang: z.boolean().optional(),
  /** Answer 200, then cut the connection mid-response (a connection reset). */
  reset: z.boolean().optional(),
  /** Answer 200 with a body that is not valid JSON (the answer cut in half). */
  malformed_json: z.boolean().optional(),
  error_rate: z.number().min(0).max(1).optional(),
  /** The OpenAI error code put in a failure's body, e.g. `context_length_exceeded` with status 400. */
  error_code: z.string().optional(),
  /** Streams only: after this many content chunks, fail as the family fails mid-stream (its error event). */
  stream_fail_after: z.number().int().nonnegative().optional(),
  /** Streams only: after this many content chunks, end the stream without its final events. */
  stream_truncate_after: z.number().int().nonnegative().optional(),
  /** Streams only: after this many content chunks, go quiet with the connection left open. */
  stream_stall_after: z.number().int().nonnegative().optional(),
  /** Streams only: the pause between two chunks. */
  stream_interval_ms: z.number().nonnegative().optional(),
});

/** Per-request behaviour written as `#mock{...}` (a JSON object) inside the last user message. */
export type MockDirective = z.infer<typeof directiveSchema>;

/** A directive that is not a JSON object of known fields: rejected loudly, since a silently ignored typo wastes a test run. */
export class MockDirectiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MockDirectiveError';
  }
}

export interface ParsedMockText {
  directive: MockDirective;
  /** The text with the directive removed and trimmed. */
  text: string;
}

/** A message as far as the mocks read it: looser than ChatMessage, so the mock server can take raw bodies. */
export interface MockMessage {
  role: string;
  content?: string | ReadonlyArray<{ type: string; text?: string }> | null;
}

/** The fields of a chat request the mocks read; a ChatRequest is one. */
export interface MockChatInput {
  messages: ReadonlyArray<MockMessage>;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  n?: number | null;
}

/** Index just past the `}` closing the object that starts at `start`, skipping braces inside JSON strings. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
    } else if (char === '"') inString = true;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

export function parseMockDirective(text: string): ParsedMockText {
  const at = text.indexOf(MARKER);
  if (at < 0) return { directive: {}, text: text.trim() };
  const jsonStart = at + MARKER.length - 1;
  const end = objectEnd(text, jsonStart);
  if (end < 0) throw new MockDirectiveError('#mock{...} directive is not closed');
  let json: unknown;
  try {
    json = JSON.parse(text.slice(jsonStart, end));
  } catch {
    throw new MockDirectiveError('#mock{...} directive is not valid JSON');
  }
  const parsed = directiveSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'directive'}: ${issue.message}`);
    throw new MockDirectiveError(`#mock directive: ${issues.join('; ')}`);
  }
  return { directive: parsed.data, text: (text.slice(0, at) + text.slice(end)).trim() };
}

function messageText(message: MockMessage): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : [])).join('\n');
}

export function lastUserText(request: MockChatInput): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === 'user') return messageText(request.messages[i]);
  }
  return '';
}

/** The directive and the directive-free text of the last user message. */
export function readMockRequest(request: MockChatInput): ParsedMockText {
  return parseMockDirective(lastUserText(request));
}

const LOREM = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore ' +
  'magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo ' +
  'consequat duis aute irure dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur'
).split(' ');

/** `count` lorem-ipsum words, always the same ones: one word counts as one completion token. */
export function loremIpsum(count: number): string {
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(LOREM[i % LOREM.length]);
  return words.join(' ');
}

/** The crude, deterministic estimate both mocks report: four characters per prompt token. */
export function estimatePromptTokens(request: MockChatInput): number {
  let chars = 0;
  for (const message of request.messages) chars += messageText(message).length;
  return Math.ceil(chars / 4);
}

export function isLoremModel(model: string): boolean {
  return model.startsWith('lorem');
}

/**
 * The successful answer for `request`: `lorem*` models write lorem ipsum (`tokens` words, default 16),
 * every other model echoes the last user message; a directive `text` replaces either. Words beyond
 * max_completion_tokens (or max_tokens) are cut and the finish reason becomes `length`.
 */
export function mockCompletion(request: MockChatInput, upstreamModel: string): ChatCompletion {
  const { directive, text } = readMockRequest(request);
  const reply = directive.text ?? (isLoremModel(upstreamModel) ? loremIpsum(directive.tokens ?? DEFAULT_LOREM_TOKENS) : text);
  const words = reply.split(/\s+/).filter((word) => word.length > 0);
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const kept = limit === undefined ? words.length : Math.min(words.length, limit);
  const truncated = kept < words.length;
  const content = truncated ? words.slice(0, kept).join(' ') : reply;
  const finishReason: FinishReason = truncated ? 'length' : 'stop';
  const choiceCount = Math.max(1, request.n ?? 1);
  const promptTokens = estimatePromptTokens(request);
  const completionTokens = kept * choiceCount;
  return {
    id: `chatcmpl-mock-${newUlid()}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: upstreamModel,
    choices: Array.from({ length: choiceCount }, (_, index) => ({
      index,
      message: { role: 'assistant' as const, content, refusal: null },
      finish_reason: finishReason,
      logprobs: null,
    })),
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
  };
}
