import type { RedisOptions } from 'ioredis';
import type { RedisClient } from './redis-client';

/**
 * The longest a short command waits for its reply. Redis that is down is caught at once (see
 * failFastOnceConnected); this bounds the case where it is up but answers nothing (frozen, or a
 * network that drops packets), so an HTTP request still gets its 503. Far above any command's
 * real latency, so load alone does not trip it. Never on a connection that sends blocking reads
 * (BullMQ workers' fetch): those legitimately wait longer than this.
 */
export const COMMAND_TIMEOUT_MS = 5_000;

/**
 * Reconnect after 50, 100, 200 ... ms, then once a second, with jitter so processes do not knock
 * in step. ioredis' own backoff grows to 5 s and BullMQ's to 20 s: a Redis that is back would go
 * unnoticed that long. Knocking on a Redis that is away once a second costs nothing.
 */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(50 * 2 ** Math.max(0, attempt - 1), 1_000) + Math.floor(Math.random() * 100);
}

/** For every connection of the process, blocking ones included. */
export const RECONNECT_PROMPTLY = { retryStrategy: reconnectDelayMs } as const satisfies RedisOptions;

/**
 * A connection that only sends short commands (never a blocking read; a SUBSCRIBE is answered at
 * once, and the messages that follow are no commands): a command waits at most
 * COMMAND_TIMEOUT_MS, and one caught by a disconnect fails at the second reconnect attempt.
 */
export const SHORT_COMMANDS = { ...RECONNECT_PROMPTLY, maxRetriesPerRequest: 1, commandTimeout: COMMAND_TIMEOUT_MS } as const satisfies RedisOptions;

/**
 * Until the connection first reaches Redis its commands wait for it (start-up sends some before
 * the connect is done); from then on a command sent while Redis is away fails at once rather than
 * queueing for the reconnect, so a request answers 503 straight away. ioredis has no such option;
 * its offline-queue switch is read on every command, so it is turned off once connected.
 */
export function failFastOnceConnected<T extends RedisClient>(client: T): T {
  client.once('ready', () => {
    client.options.enableOfflineQueue = false;
  });
  return client;
}

/**
 * QUIT when Redis is there to answer it; otherwise drop the connection. A fail-fast connection
 * refuses a QUIT while Redis is away, and without the drop it would go on reconnecting after the
 * process meant to close it.
 */
export async function closeConnection(client: RedisClient): Promise<void> {
  try {
    await client.quit();
  } catch {
    client.disconnect();
  }
}
