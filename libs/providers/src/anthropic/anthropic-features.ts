import type { ChatFeature } from '../params/param-policy';

/**
 * What the Messages API can express. Left out: seed, n > 1, presence_penalty, frequency_penalty
 * (no such parameters), and json_object (no JSON mode; json_schema is expressed as a forced tool,
 * but a bare "some JSON object" has no schema to force).
 */
export const ANTHROPIC_CHAT_FEATURES: ReadonlySet<ChatFeature> = new Set<ChatFeature>([
  'temperature', 'top_p', 'max_tokens', 'stop', 'user', 'tools', 'tool_choice', 'parallel_tool_calls', 'json_schema', 'images',
]);
