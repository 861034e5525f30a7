import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';

/**
 * Where the e2e suites' webhooks go: 127.0.0.2, a loopback address the suites' configs allowlist,
 * so the SSRF guard stays on for everything else.
 */
export const WEBHOOK_RECEIVER_HOST = '127.0.0.2';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered (or will answer, for a delayed reply). */
  status: number;
  /** Date.now() when the whole request had arrived. */
  receivedAt: number;
  /** How long the receiver held the reply back; 0 when it answered at once. */
  delayMs: number;
}

/** A reply beyond a bare status: held back (a slow receiver) or with headers (a redirect's location). */
export interface WebhookReply {
  status: number;
  delayMs?: number;
  headers?: Record<string, string>;
}

/** Decides a delivery's reply from its headers and how many times its `webhook-id` arrived. */
export type WebhookAnswer = (headers: IncomingHttpHeaders, attempt: number) => number | WebhookReply;

export interface WebhookReceiverOptions {
  /** The address to listen on (default WEBHOOK_RECEIVER_HOST). */
  host?: string;
}

/**
 * A local webhook endpoint that keeps every request; by default every one succeeds. It can go
 * down and come back on the same URL (`down()`, `up()`), as a receiver being redeployed would.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  private readonly server: Server;
  private readonly attempts = new Map<string, number>();
  /** Replies held back by a slow answer, cancelled when the receiver goes down. */
  private readonly pending = new Set<NodeJS.Timeout>();
  private port = 0;

  private constructor(
    private readonly answer: WebhookAnswer,
    private readonly host: string,
  ) {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => this.reply(request.headers, Buffer.concat(chunks).toString('utf8'), response));
    });
  }

  static async start(answer: WebhookAnswer = () => 200, options: WebhookReceiverOptions = {}): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(answer, options.host ?? WEBHOOK_RECEIVER_HOST);
    await receiver.up();
    return receiver;
  }

  get url(): string {
    return `http://${this.host}:${this.port}/hooks`;
  }

  /** The bodies of the successful deliveries, parsed. */
  events<T>(): T[] {
    return this.received.filter((delivery) => delivery.status === 200).map((delivery) => JSON.parse(delivery.body) as T);
  }

  /** Stops listening and cuts open connections: senders now get "connection refused". */
  async down(): Promise<void> {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
    if (!this.server.listening) return;
    const closed = new Promise((resolve) => this.server.close(resolve));
    this.server.closeAllConnections();
    await closed;
  }

  /** Listens (again) on the same address and port, so the same URL works again after `down()`. */
  async up(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, this.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const address = this.server.address();
    assert.ok(address && typeof address === 'object');
    this.port = address.port;
  }

  async stop(): Promise<void> {
    await this.down();
  }

  private reply(headers: IncomingHttpHeaders, body: string, response: ServerResponse): void {
    const id = String(headers['webhook-id']);
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const answered = this.answer(headers, attempt);
    const reply: WebhookReply = typeof answered === 'number' ? { status: answered } : answered;
    const delayMs = reply.delayMs ?? 0;
    this.received.push({ headers, body, status: reply.status, receivedAt: Date.now(), delayMs });
    const send = (): void => {
      // The sender may have hung up on a slow reply already: then there is no one to answer.
      if (!response.destroyed) response.writeHead(reply.status, reply.headers).end(reply.status === 200 ? 'ok' : 'down');
    };
    if (delayMs <= 0) return send();
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      send();
    }, delayMs);
    this.pending.add(timer);
  }
}
