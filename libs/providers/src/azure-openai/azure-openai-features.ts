import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ChatFeature } from '../params/param-policy';

/**
 * The 2024-10-21 chat request takes every feature OpenAI's does (n, seed, user, tools and
 * parallel_tool_calls, json_object and json_schema, image parts, max_completion_tokens); whether a
 * deployment's model honours one is the model registry's business, not the family's.
 */
export const AZURE_OPENAI_CHAT_FEATURES: ReadonlySet<ChatFeature> = ALL_CHAT_FEATURES;
