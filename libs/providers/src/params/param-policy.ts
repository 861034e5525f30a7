import type { ChatMessage, ChatRequest } from '@switchyard/contracts';
import { ProviderError } from '../provider-error';

/** Request features a provider family may or may not support. */
export type ChatFeature =
  | 'temperature'
  | 'top_p'
  | 'max_tokens'
  | 'stop'
  | 'seed'
  | 'n'
  | 'presence_penalty'
  | 'frequency_penalty'
  | 'user'
  | 'tools'
  | 'tool_choice'
  | 'parallel_tool_calls'
  | 'json_object'
  | 'json_schema'
  | 'images';

/** Dropping these would silently change what the output means, so by default they are refused. */
const MEANING_FEATURES: ReadonlySet<ChatFeature> = new Set(['tools', 'tool_choice', 'json_object', 'json_schema', 'images', 'n']);

export type UnsupportedParamPolicy = 'drop' | 'reject' | undefined;

function hasImages(request: ChatRequest): boolean {
  return request.messages.some((m) => Array.isArray(m.content) && m.content.some((part) => part.type === 'image_url'));
}

/** The features a request actually uses. */
export function featuresUsed(request: ChatRequest): ChatFeature[] {
  const used: ChatFeature[] = [];
  const simple: Array<[ChatFeature, unknown]> = [
    ['temperature', request.temperature],
    ['top_p', request.top_p],
    ['stop', request.stop],
    ['seed', request.seed],
    ['presence_penalty', request.presence_penalty],
    ['frequency_penalty', request.frequency_penalty],
    ['user', request.user],
    ['tools', request.tools?.length ? request.tools : undefined],
    ['tool_choice', request.tool_choice],
    ['parallel_tool_calls', request.parallel_tool_calls],
  ];
  for (const [feature, value] of simple) if (value !== undefined) used.push(feature);
  if (request.n !== undefined && request.n > 1) used.push('n');
  if (request.response_format?.type === 'json_object') used.push('json_object');
  if (request.response_format?.type === 'json_schema') used.push('json_schema');
  if (hasImages(request)) used.push('images');
  return used;
}

/** The features a request uses that a family lacks, split by what the policy does with them. */
export function unsupportedFeatures(
  request: ChatRequest,
  supported: ReadonlySet<ChatFeature>,
  policy: UnsupportedParamPolicy,
): { reject: ChatFeature[]; drop: ChatFeature[] } {
  const missing = featuresUsed(request).filter((feature) => !supported.has(feature));
  if (policy === 'drop') return { reject: [], drop: missing };
  if (policy === 'reject') return { reject: missing, drop: [] };
  return { reject: missing.filter((f) => MEANING_FEATURES.has(f)), drop: missing.filter((f) => !MEANING_FEATURES.has(f)) };
}

function withoutImages(messages: ChatMessage[]): ChatMessage[] {
  return messages.map((message) => {
    if (!Array.isArray(message.content)) return message;
    const parts = message.content.filter((part) => part.type !== 'image_url');
    return { ...message, content: parts.length > 0 ? parts : '' };
  });
}

const FIELDS_OF: Partial<Record<ChatFeature, Array<keyof ChatRequest>>> = {
  temperature: ['temperature'],
  top_p: ['top_p'],
  stop: ['stop'],
  seed: ['seed'],
  n: ['n'],
  presence_penalty: ['presence_penalty'],
  frequency_penalty: ['frequency_penalty'],
  user: ['user'],
  tools: ['tools', 'tool_choice', 'parallel_tool_calls'],
  tool_choice: ['tool_choice'],
  parallel_tool_calls: ['parallel_tool_calls'],
  json_object: ['response_format'],
  json_schema: ['response_format'],
};

/**
 * Applied by each adapter before translating: refuses what the policy rejects (a 400-class error
 * that no fallback can fix) and strips what it drops, telling the job through `warn`.
 */
export function applyParamPolicy(
  request: ChatRequest,
  provider: string,
  supported: ReadonlySet<ChatFeature>,
  policy: UnsupportedParamPolicy,
  warn: (message: string) => void,
): ChatRequest {
  const { reject, drop } = unsupportedFeatures(request, supported, policy);
  if (reject.length > 0) {
    throw new ProviderError('invalid_request', `${provider} does not support: ${reject.join(', ')}`);
  }
  if (drop.length === 0) return request;
  const copy: ChatRequest = { ...request };
  for (const feature of drop) for (const field of FIELDS_OF[feature] ?? []) delete copy[field];
  if (drop.includes('images')) copy.messages = withoutImages(copy.messages);
  warn(`${provider} does not support ${drop.join(', ')}; dropped`);
  return copy;
}
