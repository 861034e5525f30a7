import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { ApiKeys } from '@switchyard/tenants';
import { Agent, request } from 'undici';
import type { DeliveryAttempt, WebhookJobData } from './webhook-event';
import { WebhookSigner } from './webhook-signer';
import { WebhookUrlGuard } from './webhook-url-guard';

export interface SendResult {
  entry: DeliveryAttempt;
  /** False when trying again cannot help: 410 Gone, a URL refused by its form, no secret. */
  retryable: boolean;
}

const USER_AGENT = 'Switchyard-Webhooks/1';

/** One HTTP attempt of one delivery: signed, SSRF-checked, time-boxed, response read up to a cap. */
@Injectable()
export class WebhookSender implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;

  constructor(
    config: SwitchyardConfig,
    private readonly signer: WebhookSigner,
    private readonly guard: WebhookUrlGuard,
    private readonly keys: ApiKeys,
  ) {
    this.timeoutMs = config.webhooks.timeoutMs;
    this.maxResponseBytes = config.webhooks.maxResponseBytes;
    this.agent = new Agent({
      // Every connection resolves through the guard, which connects only to addresses it checked.
      connect: { lookup: guard.lookupForSend, timeout: this.timeoutMs },
      headersTimeout: this.timeoutMs,
      bodyTimeout: this.timeoutMs,
      allowH2: false,
    });
  }

  async send(delivery: WebhookJobData, attempt: number): Promise<SendResult> {
    const startedAt = Date.now();
    const entry = (outcome: DeliveryAttempt['outcome'], status: number | null, error: string | null): DeliveryAttempt => ({
      id: delivery.msgId,
      event: delivery.type,
      url: delivery.url,
      attempt,
      status,
      error,
      duration_ms: Date.now() - startedAt,
      delivered_at: new Date(startedAt).toISOString(),
      outcome,
    });

    const refusal = this.guard.refusalWithoutLookup(delivery.url);
    if (refusal !== null) return { entry: entry('failed', null, `refused: ${refusal}`), retryable: false };
    // Read through Redis: a key created on an API process signs its webhooks on every worker.
    const secrets = (await this.keys.find(delivery.owner))?.webhook.secrets ?? [];
    if (secrets.length === 0) return { entry: entry('failed', null, `API key '${delivery.owner}' has no webhook secret to sign with`), retryable: false };

    const body = JSON.stringify({ type: delivery.type, timestamp: delivery.occurredAt, data: delivery.payload });
    const signed = this.signer.sign(delivery.msgId, Math.floor(startedAt / 1000), body, secrets, startedAt);
    let status: number;
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: { ...signed, 'content-type': 'application/json', 'user-agent': USER_AGENT },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = response.statusCode;
      await this.drain(response.body);
    } catch (error) {
      return { entry: entry('failed', null, this.describe(error)), retryable: true };
    }
    if (status >= 200 && status < 300) return { entry: entry('succeeded', status, null), retryable: false };
    if (status === 410) return { entry: entry('gone', status, 'the receiver answered 410 Gone; no more attempts'), retryable: false };
    // Redirects are not followed: the new location could be anywhere, including inside our network.
    if (status >= 300 && status < 400) return { entry: entry('failed', status, `redirect (${status}) not followed`), retryable: true };
    return { entry: entry('failed', status, `HTTP ${status}`), retryable: true };
  }

  /**
   * Reads at most maxResponseBytes so the connection can be reused, then drops the rest with
   * the socket. A body that fails midway changes nothing: the status already answered.
   */
  private async drain(body: AsyncIterable<Buffer>): Promise<void> {
    let received = 0;
    try {
      for await (const chunk of body) {
        received += chunk.length;
        if (received >= this.maxResponseBytes) break;
      }
    } catch {
      // The status is what counts.
    }
  }

  private describe(error: unknown): string {
    if (!(error instanceof Error)) return String(error);
    if (error.name === 'TimeoutError' || error.name === 'HeadersTimeoutError' || error.name === 'ConnectTimeoutError') {
      return `timed out after ${this.timeoutMs} ms`;
    }
    // Happy-eyeballs connects to several addresses and reports each failure together.
    if (error instanceof AggregateError && error.message === '') return error.errors.map((inner: unknown) => this.describe(inner)).join('; ');
    return error.message;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }
}
