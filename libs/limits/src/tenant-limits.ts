import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { ServiceUnavailableError, TooManyRequestsError } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { ApiKeys, UsageLedger, nextMonthStartMs, type KeySettings } from '@switchyard/tenants';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { messageOf } from './error-message';

const MINUTE_S = 60;
const DAY_S = 86_400;

interface Window {
  readonly limit: number;
  readonly limiter: RateLimiterRedis;
}

/**
 * Per API key quotas checked at the API: requests per minute and tokens per day (fixed windows in
 * Redis), and the monthly budget in USD.
 */
@Injectable()
export class TenantLimits {
  private readonly logger = new Logger(TenantLimits.name);
  /** Limiters by `<kind>:<limit>`: keys with the same limit share one (their counters are per key). */
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly connections: RedisConnections,
    private readonly keys: ApiKeys,
    private readonly usage: UsageLedger,
  ) {}

  /**
   * Counts one request of `tokens` estimated tokens against the key's quotas, or throws
   * TooManyRequestsError (429, with retry-after) when one is spent or the month's budget is,
   * or ServiceUnavailableError when Redis cannot tell. A key without limits ('anonymous' on an
   * open gateway too) passes without Redis.
   */
  async admit(owner: string, tokens: number): Promise<void> {
    const settings = await this.keys.find(owner);
    if (!settings) return;
    await this.admitSpend(owner, settings);
    const quota = this.quotaOf(settings);
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

  private quotaOf(settings: KeySettings): { rpm?: Window; tokensPerDay?: Window } {
    const { rpm, tokensPerDay } = settings.limits;
    return {
      ...(rpm !== undefined && { rpm: this.window('rpm', rpm, MINUTE_S) }),
      ...(tokensPerDay !== undefined && { tokensPerDay: this.window('tokens', tokensPerDay, DAY_S) }),
    };
  }

  private window(kind: string, limit: number, duration: number): Window {
    const id = `${kind}:${limit}`;
    let window = this.windows.get(id);
    if (!window) {
      const limiter = new RateLimiterRedis({
        storeClient: this.connections.commands,
        keyPrefix: `${this.config.redis.prefix}:tenant-${kind}`,
        points: limit,
        duration,
        // Fail at once while Redis is away instead of queueing behind the reconnect.
        rejectIfRedisNotReady: true,
      });
      this.windows.set(id, (window = { limit, limiter }));
    }
    return window;
  }

  /** One GET of the month's running total, which the job store's finishing step keeps. */
  private async admitSpend(owner: string, settings: KeySettings): Promise<void> {
    const budget = settings.monthlyBudgetUsd;
    if (budget === undefined) return;
    let spent: number;
    try {
      spent = await this.usage.monthSpendUsd(owner);
    } catch (error) {
      this.logger.warn(`monthly budget of '${owner}': ${messageOf(error)}`);
      throw new ServiceUnavailableError('Budget check is unavailable: Redis did not answer.');
    }
    if (spent < budget) return;
    const now = Date.now();
    throw new TooManyRequestsError(
      `API key '${owner}' has spent $${spent.toFixed(2)} this month, reaching its monthly budget of $${budget}; new jobs are refused until the month ends (UTC).`,
      'budget_exceeded',
      (nextMonthStartMs(now) - now) / 1000,
    );
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
