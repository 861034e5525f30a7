import type { ChatFeature } from './param-policy';

/** Everything OpenAI's Chat Completions API can express: the full set, for families that speak it. */
export const ALL_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'seed', 'n', 'presence_penalty', 'frequency_penalty', 'user',
  'tools', 'tool_choice', 'parallel_tool_calls', 'json_object', 'json_schema', 'images',
]);
