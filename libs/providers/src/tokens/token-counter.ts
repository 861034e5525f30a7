import type { ChatMessage, ChatRequest } from '@switchyard/contracts';

export interface TokenCount {
  tokens: number;
  /** True when counted with the model's own tokenizer; false for the documented estimate. */
  exact: boolean;
}

/**
 * OpenAI's chat format adds a few tokens per message and per reply (the `<|start|>role` framing);
 * these are OpenAI's published figures for its current models.
 */
const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_REPLY = 3;
/**
 * Images are billed by size, which the gateway cannot see for a URL. A high-detail 1024×1024
 * image is 765 tokens on OpenAI and about as many elsewhere (Anthropic: w×h/750 ≈ 1,400 at most).
 */
const TOKENS_PER_IMAGE = 765;
/**
 * The estimate for tokenizers we do not have: about 4 characters per token for English on
 * every major tokenizer, rounded up by 10% so that a context check errs on the side of refusing
 * what is close to the limit rather than sending it and paying for a failure.
 */
const CHARS_PER_TOKEN = 4 / 1.1;

type Counter = (text: string) => number;

// Each encoding's tables take tens of MB; a process loads one only when it first counts for such a model.
/* eslint-disable @typescript-eslint/no-require-imports -- a synchronous lazy load, on first use */
let o200k: Counter | undefined;
let cl100k: Counter | undefined;
const countO200k: Counter = (text) => (o200k ??= (require('gpt-tokenizer/cjs/encoding/o200k_base') as { countTokens: Counter }).countTokens)(text);
const countCl100k: Counter = (text) => (cl100k ??= (require('gpt-tokenizer/cjs/encoding/cl100k_base') as { countTokens: Counter }).countTokens)(text);
/* eslint-enable @typescript-eslint/no-require-imports */

function openAiCounter(model: string): Counter | undefined {
  // o200k_base: GPT-4o, GPT-4.1, GPT-5 and the o-series; cl100k_base: GPT-4, GPT-3.5 and the v3 embeddings.
  if (/^(gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o\d|chatgpt-4o|gpt-oss)/.test(model)) return countO200k;
  if (/^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/.test(model)) return countCl100k;
  return undefined;
}

const estimate: Counter = (text) => Math.ceil(text.length / CHARS_PER_TOKEN);

function messageText(message: ChatMessage): { text: string; images: number } {
  let text = message.role + (message.name ?? '');
  let images = 0;
  if (typeof message.content === 'string') text += message.content;
  else if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (part.type === 'text') text += part.text;
      else images += 1;
    }
  }
  for (const call of message.tool_calls ?? []) text += call.function.name + call.function.arguments;
  return { text, images };
}

/**
 * A bound no count can exceed: a BPE token covers at least one byte, and the JSON of each message
 * is longer than its framing tokens. Lets a context check skip tokenizing the common request
 * that is nowhere near the limit.
 */
export function chatTokensUpperBound(request: ChatRequest): number {
  const images = request.messages.reduce(
    (sum, message) => sum + (Array.isArray(message.content) ? message.content.filter((part) => part.type === 'image_url').length : 0),
    0,
  );
  return Buffer.byteLength(JSON.stringify(request)) + TOKENS_PER_REPLY + images * TOKENS_PER_IMAGE;
}

/** Prompt tokens of a chat request for a given upstream model: exact for OpenAI models, estimated otherwise. */
export function countChatTokens(request: ChatRequest, model: string): TokenCount {
  const exact = openAiCounter(model);
  const count = exact ?? estimate;
  let tokens = TOKENS_PER_REPLY;
  for (const message of request.messages) {
    const { text, images } = messageText(message);
    tokens += TOKENS_PER_MESSAGE + count(text) + images * TOKENS_PER_IMAGE;
  }
  if (request.tools?.length) tokens += count(JSON.stringify(request.tools));
  if (request.response_format?.type === 'json_schema') tokens += count(JSON.stringify(request.response_format.json_schema));
  return { tokens, exact: exact !== undefined };
}

/** Tokens of the longest single embedding input (each input is limited separately). */
export function countLongestInput(input: string | string[], model: string): TokenCount {
  const exact = openAiCounter(model);
  const count = exact ?? estimate;
  const inputs = typeof input === 'string' ? [input] : input;
  return { tokens: Math.max(0, ...inputs.map((text) => count(text))), exact: exact !== undefined };
}

/** Output tokens assumed for a request that sets no limit, when weighing it for token budgets. */
const DEFAULT_OUTPUT_TOKENS = 1024;

/**
 * What a request is charged against a tokens-per-minute or per-day budget before it runs: the
 * estimated prompt plus the most it may produce. Estimated, never tokenized: it runs on every job.
 */
export function requestTokenWeight(request: ChatRequest | { input: string | string[] }): number {
  if ('input' in request) {
    const inputs = typeof request.input === 'string' ? [request.input] : request.input;
    return inputs.reduce((sum, text) => sum + estimate(text), 0);
  }
  let tokens = TOKENS_PER_REPLY;
  for (const message of request.messages) {
    const { text, images } = messageText(message);
    tokens += TOKENS_PER_MESSAGE + estimate(text) + images * TOKENS_PER_IMAGE;
  }
  return tokens + (request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_OUTPUT_TOKENS);
}
