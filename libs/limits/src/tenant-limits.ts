import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { ServiceUnavailableError, TooManyRequestsError } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { messageOf } from './error-message';

const MINUTE_S = 60;
const DAY_S = 86_400;

interface TenantQuota {
  readonly rpm?: { readonly limit: number; readonly limiter: RateLimiterRedis };
  readonly tokensPerDay?: { readonly limit: number; readonly limiter: RateLimiterRedis };
}

/** Per API key quotas checked at the API: requests per minute and tokens per day (fixed windows in Redis). */
@Injectable()
export class TenantLimits {
  private readonly logger = new Logger(TenantLimits.name);
  /** Only keys with a quota; anyone else (a key without limits, 'anonymous' on an open gateway) passes without Redis. */
  private readonly quotas = new Map<string, TenantQuota>();

  constructor(config: SwitchyardConfig, connections: RedisConnections) {
    const window = (name: string, limit: number, duration: number) => ({
      limit,
      limiter: new RateLimiterRedis({
        storeClient: connections.commands,
        keyPrefix: `${config.redis.prefix}:tenant-${name}`,
        points: limit,
        duration,
        // Fail at once while Redis is away instead of queueing behind the reconnect.
        rejectIfRedisNotReady: true,
      }),
    });
    for (const key of config.auth.keys) {
      const { rpm, tokensPerDay } = key.limits;
      if (rpm === undefined && tokensPerDay === undefined) continue;
      this.quotas.set(key.name, {
        ...(rpm !== undefined && { rpm: window('rpm', rpm, MINUTE_S) }),
        ...(tokensPerDay !== undefined && { tokensPerDay: window('tokens', tokensPerDay, DAY_S) }),
      });
    }
  }

  /**
   * Counts one request of `tokens` estimated tokens against the key's quotas, or throws
   * TooManyRequestsError (429, with retry-after) when one is spent, or ServiceUnavailableError
   * when Redis cannot tell.
   */
  async admit(owner: string, tokens: number): Promise<void> {
    const quota = this.quotas.get(owner);
    if (!quota) return;
    if (quota.rpm) {
      const { limit, limiter } = quota.rpm;
      await this.consume(limiter, owner, 1, (retryAfterS) => new TooManyRequestsError(`API key '${owner}' is over its limit of ${limit} requests per minute.`, 'rate_limit_exceeded', retryAfterS));
    }
    const weight = Math.max(0, Math.ceil(tokens));
    if (quota.tokensPerDay && weight > 0) {
      const { limit, limiter } = quota.tokensPerDay;
      await this.consume(limiter, owner, weight, (retryAfterS) => new TooManyRequestsError(`API key '${owner}' is over its limit of ${limit} tokens per day.`, 'tokens_per_day_exceeded', retryAfterS), true);
    }
  }

  /**
   * A refused request still added its points; with `giveBack` they are returned, so a large
   * request refused near the end of the day budget does not also use up what is left of it.
   */
  private async consume(limiter: RateLimiterRedis, owner: string, points: number, overLimit: (retryAfterS: number) => TooManyRequestsError, giveBack = false): Promise<void> {
    try {
      await limiter.consume(owner, points);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) {
        this.logger.warn(`tenant quota of '${owner}': ${messageOf(rejection)}`);
        throw new ServiceUnavailableError('Quota check is unavailable: Redis did not answer.');
      }
      if (giveBack) await limiter.reward(owner, points).catch((error: unknown) => this.logger.warn(`tenant quota of '${owner}': refused points not returned: ${messageOf(error)}`));
      throw overLimit(rejection.msBeforeNext / 1000);
    }
  }
}
