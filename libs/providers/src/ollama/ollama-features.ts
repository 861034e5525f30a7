import type { ChatFeature } from '../params/param-policy';

/**
 * What /api/chat can express. Missing: `n`, `user` and `parallel_tool_calls`. `tool_choice` is here
 * because `auto` and `none` translate; forcing a call cannot, and the adapter refuses that itself.
 * Images must be base64 (data URLs); http(s) image URLs are refused by the adapter.
 */
export const OLLAMA_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty',
  'tools', 'tool_choice', 'json_object', 'json_schema', 'images',
]);
