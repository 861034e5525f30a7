import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';

/**
 * Where the e2e suites' webhooks go: 127.0.0.2, a loopback address the suites' configs allowlist,
 * so the SSRF guard stays on for everything else.
 */
export const WEBHOOK_RECEIVER_HOST = '127.0.0.2';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  /** The status the receiver answered. */
  status: number;
}

/** Decides a delivery's status from its headers and how many times its `webhook-id` arrived. */
export type WebhookAnswer = (headers: IncomingHttpHeaders, attempt: number) => number;

/** A local webhook endpoint that keeps every delivery; by default every one succeeds. */
export class WebhookReceiver {
  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly received: ReceivedWebhook[],
  ) {}

  static async start(answer: WebhookAnswer = () => 200): Promise<WebhookReceiver> {
    const received: ReceivedWebhook[] = [];
    const attempts = new Map<string, number>();
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const id = String(request.headers['webhook-id']);
        const attempt = (attempts.get(id) ?? 0) + 1;
        attempts.set(id, attempt);
        const status = answer(request.headers, attempt);
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), status });
        response.writeHead(status).end(status === 200 ? 'ok' : 'down');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, WEBHOOK_RECEIVER_HOST, resolve));
    const address = server.address();
    assert.ok(address && typeof address === 'object');
    return new WebhookReceiver(server, `http://${WEBHOOK_RECEIVER_HOST}:${address.port}/hooks`, received);
  }

  /** The bodies of the successful deliveries, parsed. */
  events<T>(): T[] {
    return this.received.filter((delivery) => delivery.status === 200).map((delivery) => JSON.parse(delivery.body) as T);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
