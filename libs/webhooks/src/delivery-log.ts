import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { RedisConnections } from '@switchyard/redis';
import type { DeliveryAttempt } from './webhook-event';
import { DELIVERY_LOG_CAP, deliveriesKey } from './webhook-names';

/** Every delivery attempt per job or batch: a capped list that expires with the subject's log TTL. */
@Injectable()
export class DeliveryLog {
  private readonly prefix: string;
  private readonly ttlS: number;

  constructor(
    config: SwitchyardConfig,
    private readonly connections: RedisConnections,
  ) {
    this.prefix = config.redis.prefix;
    this.ttlS = config.webhooks.logTtlS;
  }

  /** Append, cap and refresh the TTL in one MULTI, so a crash cannot leave an uncapped or immortal list. */
  async append(subject: string, attempt: DeliveryAttempt): Promise<void> {
    const key = deliveriesKey(this.prefix, subject);
    const replies = await this.connections.commands
      .multi()
      .rpush(key, JSON.stringify(attempt))
      .ltrim(key, -DELIVERY_LOG_CAP, -1)
      .expire(key, this.ttlS)
      .exec();
    const failed = replies?.find(([error]) => error !== null);
    if (failed) throw failed[0];
  }

  /** Oldest first. */
  async list(subject: string): Promise<DeliveryAttempt[]> {
    const entries = await this.connections.commands.lrange(deliveriesKey(this.prefix, subject), 0, -1);
    return entries.map((entry) => JSON.parse(entry) as DeliveryAttempt);
  }
}
