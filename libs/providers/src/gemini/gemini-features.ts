import type { ChatFeature } from '../params/param-policy';

/**
 * What generateContent can express. Missing: `user` (no end-user field) and `parallel_tool_calls`
 * (Gemini may always return several calls); applyParamPolicy drops or rejects those.
 */
export const GEMINI_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'n', 'presence_penalty', 'frequency_penalty',
  'tools', 'tool_choice', 'json_object', 'json_schema', 'images',
]);
