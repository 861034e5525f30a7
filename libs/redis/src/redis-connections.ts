import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { Redis, type RedisOptions } from 'ioredis';
import { redisOptionsFromUrl } from './redis-options';

/** The process's plain Redis connections (BullMQ keeps its own): one for commands, one for pub/sub. */
@Injectable()
export class RedisConnections implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  readonly options: RedisOptions;
  readonly commands: Redis;
  private subscriberClient?: Redis;

  constructor(config: SwitchyardConfig) {
    this.options = {
      ...redisOptionsFromUrl(config.redis.url),
      // Fail a command after one reconnect attempt instead of queueing it forever: callers turn
      // that into a 503 rather than hanging an HTTP request.
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
    };
    // Commands issued in the same tick travel as one pipeline: many concurrent requests, few writes.
    this.commands = this.connect('commands', { enableAutoPipelining: true });
  }

  /** Created on first use: processes that never subscribe keep one connection fewer. */
  get subscriber(): Redis {
    this.subscriberClient ??= this.connect('subscriber', { maxRetriesPerRequest: null });
    return this.subscriberClient;
  }

  private connect(role: string, overrides: RedisOptions = {}): Redis {
    const client = new Redis({ ...this.options, ...overrides, connectionName: `switchyard:${role}` });
    client.on('error', (error: Error) => this.logger.warn(`redis ${role} connection: ${error.message}`));
    return client;
  }

  /** An evicting Redis silently drops queued jobs and records under memory pressure. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      const [, policy] = (await this.commands.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        this.logger.warn(`Redis maxmemory-policy is "${policy}"; set it to "noeviction" or jobs can be lost under memory pressure.`);
      }
    } catch {
      // Managed Redis services often disable CONFIG; nothing to check then.
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.commands.quit(), this.subscriberClient?.quit()]);
  }
}
