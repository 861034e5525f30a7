import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { RedisOptions } from 'ioredis';
import { closeConnection, failFastOnceConnected, RECONNECT_PROMPTLY, SHORT_COMMANDS } from './outage-policy';
import { createRedisClient, redisClientSettings, type RedisClient, type RedisClientSettings } from './redis-client';

/**
 * The process's plain Redis connections (BullMQ keeps its own): one for commands, one for pub/sub.
 * Each is a Cluster client when the config names a Redis Cluster.
 */
@Injectable()
export class RedisConnections implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  /** Per connection (per node, on a cluster); where Redis is comes from the config. */
  readonly options: RedisOptions;
  readonly commands: RedisClient;
  private subscriberClient?: RedisClient;

  constructor(private readonly config: SwitchyardConfig) {
    this.options = {
      // Fail a command after one reconnect attempt instead of queueing it forever: callers turn
      // that into a 503 rather than hanging an HTTP request.
      maxRetriesPerRequest: 1,
      connectTimeout: 5000,
      ...RECONNECT_PROMPTLY,
    };
    // Commands issued in the same tick travel as one pipeline: many concurrent requests, few writes.
    this.commands = failFastOnceConnected(this.connect('commands', { ...SHORT_COMMANDS, enableAutoPipelining: true }));
  }

  /** Created on first use: processes that never subscribe keep one connection fewer. */
  get subscriber(): RedisClient {
    // A subscribe while Redis is away fails (a long-poll answers 503); held channels come back by
    // themselves on reconnect. Its commands are short too: messages are no commands, so a quiet
    // channel never times out.
    this.subscriberClient ??= failFastOnceConnected(this.connect('subscriber', SHORT_COMMANDS));
    return this.subscriberClient;
  }

  /** For a library that builds its own clients (Bottleneck): the same Redis, options and name. */
  clientSettings(role: string): RedisClientSettings {
    return redisClientSettings(this.config.redis, { ...this.options, connectionName: `switchyard:${role}` });
  }

  private connect(role: string, overrides: RedisOptions = {}): RedisClient {
    const client = createRedisClient(this.config.redis, { ...this.options, ...overrides, connectionName: `switchyard:${role}` });
    client.on('error', (error: Error) => this.logger.warn(`redis ${role} connection: ${error.message}`));
    return client;
  }

  /** An evicting Redis silently drops queued jobs and records under memory pressure. */
  async onApplicationBootstrap(): Promise<void> {
    try {
      // On a cluster this asks one node; they are meant to be configured alike.
      const [, policy] = (await this.commands.config('GET', 'maxmemory-policy')) as [string, string];
      if (policy !== 'noeviction') {
        this.logger.warn(`Redis maxmemory-policy is "${policy}"; set it to "noeviction" or jobs can be lost under memory pressure.`);
      }
    } catch {
      // Managed Redis services often disable CONFIG; nothing to check then.
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([closeConnection(this.commands), this.subscriberClient && closeConnection(this.subscriberClient)]);
  }
}
