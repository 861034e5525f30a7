import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type CacheMode } from '@switchyard/config';
import type { JobRequest } from '@switchyard/contracts';
import { GLOBAL_SCOPE } from './cache-key';

/** What a request says about caching: `false` opts out; an object opts in, optionally with its own TTL. */
export type RequestCacheOption = false | { ttl_s?: number };

export interface CacheDecision {
  enabled: boolean;
  ttlS: number;
}

/**
 * A chat answer is only worth reusing when the caller asked for a reproducible one; with sampling
 * on, serving a stored answer would silently take away the variety they asked for.
 */
function isDeterministic(request: JobRequest): boolean {
  if (request.type === 'embedding') return true;
  return request.temperature === 0 || typeof request.seed === 'number';
}

/** Whether a job's answer may come from, and go to, the response cache, and for how long. */
@Injectable()
export class CachePolicy {
  constructor(private readonly config: SwitchyardConfig) {}

  /**
   * Precedence: the request's `cache: false`, then the operator's `never` (model, else global),
   * then the request's opt-in object, then the mode (`always`, or `auto` = deterministic only).
   * The operator's `never` beats a request's opt-in because it usually means answers of that
   * model must not be stored at all.
   */
  decide(request: JobRequest, modelName: string, requestCache?: RequestCacheOption): CacheDecision {
    const rules = this.config.models.get(modelName)?.cache;
    const mode: CacheMode = rules?.mode ?? this.config.cache.mode;
    const configuredTtlS = rules?.ttlS ?? this.config.cache.ttlS;
    if (requestCache === false || mode === 'never') return { enabled: false, ttlS: configuredTtlS };
    if (requestCache !== undefined) {
      const asked = requestCache.ttl_s;
      const ttlS = asked !== undefined && Number.isInteger(asked) && asked > 0 ? asked : configuredTtlS;
      return { enabled: true, ttlS };
    }
    return { enabled: mode === 'always' || isDeterministic(request), ttlS: configuredTtlS };
  }

  /** The cacheKey scope for a job of this owner: its own entries, or everyone's under `global`. */
  scope(owner: string): string {
    return this.config.cache.scope === 'global' ? GLOBAL_SCOPE : owner;
  }
}
