import type { ChatFeature } from '../params/param-policy';

/**
 * What Chat v2 can express. Missing: `n` (one generation per call), `user` (no end-user field) and
 * `parallel_tool_calls` (the model decides; it cannot be turned off).
 */
export const COHERE_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'presence_penalty', 'frequency_penalty',
  'tools', 'tool_choice', 'json_object', 'json_schema', 'images',
]);
