import { Injectable } from '@nestjs/common';
import { RedisConnections } from './redis-connections';

type MessageHandler = (message: string) => void;

/**
 * One subscriber connection shared by every listener in the process. Channels are
 * reference-counted so a thousand long-polls on different jobs cost one connection.
 */
@Injectable()
export class RedisSubscriber {
  private readonly handlers = new Map<string, Set<MessageHandler>>();
  private listening = false;

  constructor(private readonly connections: RedisConnections) {}

  /** Resolves once Redis confirmed the subscription; the returned function unsubscribes. */
  async subscribe(channel: string, handler: MessageHandler): Promise<() => Promise<void>> {
    const client = this.connections.subscriber;
    if (!this.listening) {
      client.on('message', (from: string, message: string) => {
        for (const listener of this.handlers.get(from) ?? []) listener(message);
      });
      this.listening = true;
    }
    let listeners = this.handlers.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.handlers.set(channel, listeners);
    }
    listeners.add(handler);
    try {
      // Subscribing again to a channel already held is harmless and confirms the subscription
      // is live before the caller re-reads state, which closes the read-then-subscribe race.
      await client.subscribe(channel);
    } catch (error) {
      await this.release(channel, handler);
      throw error;
    }
    return () => this.release(channel, handler);
  }

  private async release(channel: string, handler: MessageHandler): Promise<void> {
    const listeners = this.handlers.get(channel);
    if (!listeners) return;
    listeners.delete(handler);
    if (listeners.size > 0) return;
    this.handlers.delete(channel);
    await this.connections.subscriber.unsubscribe(channel).catch(() => undefined);
  }
}
