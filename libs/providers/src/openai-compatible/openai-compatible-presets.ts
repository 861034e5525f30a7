import type { EmbeddingRequest } from '@switchyard/contracts';
import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ChatFeature } from '../params/param-policy';

export const PRESET_NAMES = ['vllm', 'ollama', 'groq', 'together', 'fireworks', 'deepseek', 'openrouter', 'mistral'] as const;

export type PresetName = (typeof PRESET_NAMES)[number];

/** How one OpenAI-compatible server differs from OpenAI's Chat Completions and Embeddings APIs. */
export interface CompatiblePreset {
  /** The service's fixed endpoint; self-hosted servers have none, so base_url is required. */
  baseUrl?: string;
  chatFeatures: ReadonlySet<ChatFeature>;
  /** OpenAI request field → the server's name for it (a field the server lacks under any name belongs in chatFeatures). */
  rename?: Readonly<Record<string, string>>;
  /** The server answers 400 to `name` on a message. */
  stripMessageNames?: boolean;
  /** The server reads images only inlined as base64 `data:` URLs, never fetching a URL itself. */
  dataUrlImagesOnly?: boolean;
  /** `options` key → request header, for what the server wants on every request. */
  headersFromOptions?: Readonly<Record<string, string>>;
  /** `options` key → request body field. */
  bodyFromOptions?: Readonly<Record<string, string>>;
  /** The server refuses `stream_options` (it reports usage in its last chunk unasked), so streams go without it. */
  noStreamOptions?: boolean;
  /** The server's embeddings API and the request fields it lacks; absent when it has none. */
  embeddings?: { unsupported: ReadonlyArray<keyof EmbeddingRequest> };
}

function allBut(...missing: ChatFeature[]): ReadonlySet<ChatFeature> {
  return new Set([...ALL_CHAT_FEATURES].filter((feature) => !missing.includes(feature)));
}

/** Servers that only know the older `max_tokens` get max_completion_tokens under that name. */
const MAX_TOKENS_ONLY = { max_completion_tokens: 'max_tokens' } as const;

/**
 * Each entry from the server's own documentation (as of this writing):
 * - vLLM: "parallel_tool_calls and user parameters are ignored" (OpenAI-compatible server page).
 * - Ollama /v1: no tool_choice, logit_bias, user or n; images only as base64; max_tokens only;
 *   /v1/embeddings takes encoding_format and dimensions but not user.
 * - Groq: logprobs, logit_bias, top_logprobs and messages[].name answer 400; n must be 1.
 * - Together: its chat API has no user or parallel_tool_calls and knows max_tokens only.
 * - Fireworks: OpenAI's chat parameters; max_tokens is the documented limit field.
 * - DeepSeek: no seed, n, user, parallel_tool_calls, json_schema or image input; no embeddings.
 * - OpenRouter: no n; max_tokens; HTTP-Referer and X-Title identify the calling app.
 * - Mistral: random_seed instead of seed, max_tokens only, no user; safe_prompt is its own; a
 *   stream_options field is refused (422 extra_forbidden), usage comes in the last chunk anyway.
 */
export const PRESETS: Readonly<Record<PresetName, CompatiblePreset>> = {
  vllm: {
    chatFeatures: allBut('user', 'parallel_tool_calls'),
    embeddings: { unsupported: [] },
  },
  ollama: {
    chatFeatures: allBut('n', 'user', 'tool_choice', 'parallel_tool_calls'),
    rename: MAX_TOKENS_ONLY,
    dataUrlImagesOnly: true,
    embeddings: { unsupported: ['user'] },
  },
  groq: {
    baseUrl: 'https://api.groq.com/openai/v1',
    chatFeatures: allBut('n'),
    stripMessageNames: true,
  },
  together: {
    baseUrl: 'https://api.together.xyz/v1',
    chatFeatures: allBut('user', 'parallel_tool_calls'),
    rename: MAX_TOKENS_ONLY,
    embeddings: { unsupported: ['user', 'dimensions'] },
  },
  fireworks: {
    baseUrl: 'https://api.fireworks.ai/inference/v1',
    chatFeatures: ALL_CHAT_FEATURES,
    rename: MAX_TOKENS_ONLY,
    embeddings: { unsupported: [] },
  },
  deepseek: {
    baseUrl: 'https://api.deepseek.com',
    chatFeatures: allBut('seed', 'n', 'user', 'parallel_tool_calls', 'json_schema', 'images'),
    rename: MAX_TOKENS_ONLY,
  },
  openrouter: {
    baseUrl: 'https://openrouter.ai/api/v1',
    chatFeatures: allBut('n'),
    rename: MAX_TOKENS_ONLY,
    headersFromOptions: { http_referer: 'HTTP-Referer', app_title: 'X-Title' },
    embeddings: { unsupported: [] },
  },
  mistral: {
    baseUrl: 'https://api.mistral.ai/v1',
    chatFeatures: allBut('user'),
    rename: { seed: 'random_seed', ...MAX_TOKENS_ONLY },
    bodyFromOptions: { safe_prompt: 'safe_prompt' },
    noStreamOptions: true,
    embeddings: { unsupported: ['user', 'dimensions'] },
  },
};
