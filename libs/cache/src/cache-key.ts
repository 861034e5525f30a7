import { createHash } from 'node:crypto';
import type { JobRequest } from '@switchyard/contracts';
import { canonicalJson } from './canonical-json';

/** The upstream the answer comes from: one public model may route to several, each answering differently. */
export interface CacheTarget {
  provider: string;
  model: string;
}

/** `<scope>:<sha256 hex>`; the lib's Redis classes place it under `${prefix}:cache:`. */
export type CacheKey = string;

/** The scope of a cache shared by every API key (`cache.scope: global`). */
export const GLOBAL_SCOPE = '*';

/**
 * Fields that never change the answer: who asked (`user`, `metadata`), how it is delivered
 * (`stream`), and how the gateway routes and queues it. `model` is the public name, replaced by the
 * upstream target, so two aliases of one upstream model share entries. Everything else stays in:
 * a field this list does not know about costs a cache miss, never a wrong answer.
 */
const IGNORED_FIELDS = new Set([
  'model',
  'user',
  'metadata',
  'stream',
  'stream_options',
  'models',
  'route',
  'priority',
  'cache',
  'webhook',
  'webhook_url',
  'idempotency_key',
]);

/** Bumped whenever normalization changes, so entries written under the old rules are not read. */
const KEY_VERSION = 1;

function normalize(request: JobRequest): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    // OpenAI clients send `null` for "not set"; it must hash like an absent field.
    if (IGNORED_FIELDS.has(field) || value === null || value === undefined) continue;
    kept[field] = value;
  }
  return kept;
}

/**
 * The identity of a request's answer: SHA-256 over the canonical JSON of the normalized request
 * and its upstream target, under the scope (an API key name, or GLOBAL_SCOPE). The scope stays
 * readable in the key so one tenant's entries can be found and dropped together.
 */
export function cacheKey(request: JobRequest, target: CacheTarget, scope: string): CacheKey {
  const identity = canonicalJson({ v: KEY_VERSION, target: { provider: target.provider, model: target.model }, request: normalize(request) });
  return `${scope}:${createHash('sha256').update(identity).digest('hex')}`;
}
