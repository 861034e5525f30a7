import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The text exposition format's content type, for whoever serves `render()`. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export type QueueState = 'waiting' | 'active' | 'delayed' | 'failed';
export type QueueDepth = { queue: string } & Record<QueueState, number>;
export type CircuitStateName = 'closed' | 'half_open' | 'open';
export type CacheSource = 'cache' | 'coalesced';
/** A webhook attempt: delivered, failed but tried again later, failed for good, or 410 Gone. */
export type WebhookOutcome = 'succeeded' | 'retrying' | 'failed' | 'gone';

const QUEUE_STATES: readonly QueueState[] = ['waiting', 'active', 'delayed', 'failed'];
const CIRCUIT_VALUE: Record<CircuitStateName, number> = { closed: 0, half_open: 1, open: 2 };
/** A finish with no attempt behind it (worker lost, canceled, expired) has no provider or model. */
const NONE = 'none';

/** LLM calls take from tens of milliseconds (cache-warm embeddings) to minutes (long generations). */
const PROVIDER_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 40, 80, 160];
/** Most API answers are milliseconds; long-polls, interactive calls and streams run up to minutes. */
const HTTP_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * Every Prometheus metric of one process, in a registry of its own (not prom-client's global one),
 * so two apps or a test in one process never share counters. Recording is in-memory counters and
 * histograms only; what Redis knows (queue depths) and what other services hold (circuits) is read
 * through the sources they register, when a scrape asks.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  private readonly jobsSubmitted = this.counter('switchyard_jobs_submitted_total', 'Jobs accepted and queued, by requested model and API key.', ['model', 'key']);
  private readonly jobsFinished = this.counter(
    'switchyard_jobs_finished_total',
    'Jobs that reached a terminal status, by status and the provider and model of their last attempt ("none" when no attempt ran).',
    ['status', 'provider', 'model'],
  );
  private readonly providerDuration = new Histogram({
    name: 'switchyard_provider_request_duration_seconds',
    help: 'Provider calls, from the adapter call to its answer or error (limiter wait excluded), by outcome: "success" or the error kind.',
    labelNames: ['provider', 'model', 'outcome'],
    buckets: PROVIDER_BUCKETS_S,
    registers: [this.registry],
  });
  private readonly tokens = this.counter('switchyard_tokens_total', 'Tokens reported by providers, by API key, provider, model and type (prompt or completion).', ['key', 'provider', 'model', 'type']);
  private readonly cost = this.counter('switchyard_cost_usd_total', 'Estimated provider cost in US dollars from the model price table, by API key, provider and model.', ['key', 'provider', 'model']);
  private readonly cacheHits = this.counter('switchyard_cache_hits_total', 'Jobs answered without a provider call: from the response cache, or by an identical call in flight (coalesced).', ['provider', 'source']);
  private readonly cacheMisses = this.counter('switchyard_cache_misses_total', 'Cacheable jobs that had to call their provider.', ['provider']);
  private readonly fallbacks = this.counter('switchyard_fallbacks_total', 'Jobs moved to a later target, by the provider they left and the one they moved to.', ['from', 'to']);
  private readonly retries = this.counter('switchyard_retries_total', 'Failed provider calls tried again on the same target.', ['provider', 'model']);
  private readonly rateLimitWaits = this.counter('switchyard_provider_rate_limit_waits_total', 'Provider 429s answered by pausing the provider queue.', ['provider']);
  private readonly rateLimitWaitSeconds = this.counter('switchyard_provider_rate_limit_wait_seconds_total', 'Seconds provider queues were paused after 429s.', ['provider']);
  private readonly tenantRejections = this.counter('switchyard_tenant_rate_limited_total', 'Requests refused with 429 for an API key limit, by key and error code.', ['key', 'code']);
  private readonly webhookDeliveries = this.counter('switchyard_webhook_deliveries_total', 'Webhook delivery attempts, by outcome.', ['outcome']);
  private readonly httpDuration = new Histogram({
    name: 'switchyard_http_request_duration_seconds',
    help: 'HTTP requests to the API, by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status'],
    buckets: HTTP_BUCKETS_S,
    registers: [this.registry],
  });

  private readonly queueSources: Array<() => Promise<readonly QueueDepth[]>> = [];
  private readonly circuitSources: Array<() => Iterable<readonly [string, CircuitStateName]>> = [];

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    const queueSources = this.queueSources;
    new Gauge({
      name: 'switchyard_queue_jobs',
      help: 'Entries in each BullMQ queue by state; the same for every process (read from Redis), so aggregate with max.',
      labelNames: ['queue', 'state'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const depths = (await Promise.all(queueSources.map((source) => source()))).flat();
        for (const depth of depths) for (const state of QUEUE_STATES) this.set({ queue: depth.queue, state }, depth[state]);
      },
    });
    const circuitSources = this.circuitSources;
    new Gauge({
      name: 'switchyard_circuit_state',
      help: 'Provider circuit breaker: 0 closed, 1 half-open, 2 open.',
      labelNames: ['provider'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const source of circuitSources) for (const [provider, state] of source()) this.set({ provider }, CIRCUIT_VALUE[state]);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  /** Queue depths, read when a scrape asks; the source caches and bounds its own Redis reads. */
  observeQueues(source: () => Promise<readonly QueueDepth[]>): void {
    this.queueSources.push(source);
  }

  /** Circuit states, read when a scrape asks; the source must answer from memory. */
  observeCircuits(source: () => Iterable<readonly [string, CircuitStateName]>): void {
    this.circuitSources.push(source);
  }

  jobSubmitted(model: string, key: string): void {
    this.jobsSubmitted.inc({ model, key });
  }

  jobFinished(status: string, lastAttempt?: { provider: string; model: string }): void {
    this.jobsFinished.inc({ status, provider: lastAttempt?.provider ?? NONE, model: lastAttempt?.model ?? NONE });
  }

  providerCall(provider: string, model: string, outcome: string, durationMs: number): void {
    this.providerDuration.observe({ provider, model, outcome }, durationMs / 1000);
  }

  usage(key: string, provider: string, model: string, usage: { prompt_tokens: number; completion_tokens: number }, costUsd: number | null): void {
    this.tokens.inc({ key, provider, model, type: 'prompt' }, usage.prompt_tokens);
    this.tokens.inc({ key, provider, model, type: 'completion' }, usage.completion_tokens);
    if (costUsd) this.cost.inc({ key, provider, model }, costUsd);
  }

  cacheHit(provider: string, source: CacheSource, jobs = 1): void {
    if (jobs > 0) this.cacheHits.inc({ provider, source }, jobs);
  }

  cacheMiss(provider: string): void {
    this.cacheMisses.inc({ provider });
  }

  fallback(from: string, to: string): void {
    this.fallbacks.inc({ from, to });
  }

  retry(provider: string, model: string): void {
    this.retries.inc({ provider, model });
  }

  providerRateLimitWait(provider: string, waitMs: number): void {
    this.rateLimitWaits.inc({ provider });
    this.rateLimitWaitSeconds.inc({ provider }, waitMs / 1000);
  }

  tenantRateLimited(key: string, code: string): void {
    this.tenantRejections.inc({ key, code });
  }

  webhookDelivery(outcome: WebhookOutcome): void {
    this.webhookDeliveries.inc({ outcome });
  }

  httpRequest(method: string, route: string, status: number, durationMs: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, durationMs / 1000);
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
