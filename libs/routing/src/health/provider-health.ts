import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SwitchyardConfig, type ProviderConfig } from '@switchyard/config';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { Metrics } from '@switchyard/telemetry';
import { CLOSED_CIRCUIT, circuitFromFields, latenciesFromFields, parseCircuitMessage, type CircuitRecord } from './circuit-record';
import { healthChannel, healthKeys } from './health-keys';
import { throughputPerS, windowCounts, windowGeometry, type WindowCounts } from './health-window';
import { RECORD_OUTCOME } from './record-outcome.script';

export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CallOutcome {
  provider: string;
  model: string;
  ok: boolean;
  latencyMs: number;
  /** false for errors that are not the provider's fault (client errors, cancel) — they change nothing */
  counts: boolean;
}

/** One provider's health as GET /v1/providers shows it. */
export interface ProviderHealthView {
  circuit: CircuitState;
  consecutive_failures: number;
  window: { requests: number; failures: number; error_rate: number };
  opened_at: string | null;
  opened_count: number;
  latency_ewma_ms: Record<string, number>;
  throughput_per_s: number;
}

interface CachedHealth {
  circuit: CircuitRecord;
  /** changeSeq when a live transition last set `circuit`. */
  circuitSeq: number;
  window: WindowCounts;
  latencies: ReadonlyMap<string, number>;
  throughputPerS: number;
}

const EWMA_ALPHA = 0.3;
const REFRESH_INTERVAL_MS = 1000;
/**
 * Successes are summed per provider and model for this long and recorded in one script call:
 * at thousands of calls a second, one Redis script per call would cost more than the calls.
 * Failures are recorded at once, so a circuit opens without delay.
 */
const SUCCESS_BATCH_MS = 100;

interface SuccessBatch {
  provider: ProviderConfig;
  model: string;
  calls: number;
  latencySumMs: number;
  /** Settles once the batch is written, so `await record()` still means "recorded". */
  written: Promise<void>;
  markWritten: () => void;
}

/**
 * Circuit breakers, latency and throughput per provider, shared by every process through Redis.
 * Workers record each call's outcome; routing reads a local cache on every submit, so reads never
 * wait on Redis. The cache follows transitions over pub/sub and re-reads everything each second in
 * case a message was missed. Health is advisory: a Redis failure here never fails a job.
 */
@Injectable()
export class ProviderHealth implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ProviderHealth.name);
  private readonly cache = new Map<string, CachedHealth>();
  private readonly channel: string;
  /** Counts live transitions applied, so a refresh whose read predates one does not undo it. */
  private changeSeq = 0;
  private timer?: NodeJS.Timeout;
  private refreshing = false;
  private unsubscribe?: () => Promise<void>;
  private readonly successes = new Map<string, SuccessBatch>();

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly connections: RedisConnections,
    private readonly subscriber: RedisSubscriber,
    metrics: Metrics,
  ) {
    this.channel = healthChannel(config.redis.prefix);
    metrics.observeCircuits(() => [...config.providers.keys()].map((name) => [name, this.circuit(name)] as const));
  }

  async onModuleInit(): Promise<void> {
    // Subscribed before the first read, so no transition falls between the two.
    try {
      this.unsubscribe = await this.subscriber.subscribe(this.channel, (message) => this.onMessage(message));
    } catch (error) {
      this.logger.warn(`provider health: no live circuit updates (${messageOf(error)}); relying on the periodic refresh`);
    }
    await this.refresh().catch((error: unknown) => this.logger.warn(`provider health: first read failed: ${messageOf(error)}`));
    this.timer = setInterval(() => void this.refreshInBackground(), REFRESH_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    // Not awaited: with Redis gone the unsubscribe would wait for it forever and hold up shutdown;
    // closing the connection ends the subscription anyway.
    void this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = undefined;
    void this.flushSuccesses();
  }

  async record(outcome: CallOutcome): Promise<void> {
    if (!outcome.counts) return;
    const provider = this.config.providers.get(outcome.provider);
    if (!provider) return;
    const latencyMs = Number.isFinite(outcome.latencyMs) ? Math.max(0, outcome.latencyMs) : 0;
    if (!outcome.ok) return this.write(provider, outcome.model, false, latencyMs, 1);
    const key = `${provider.name}\u0000${outcome.model}`;
    let batch = this.successes.get(key);
    if (!batch) {
      if (this.successes.size === 0) setTimeout(() => void this.flushSuccesses(), SUCCESS_BATCH_MS).unref();
      const { promise, resolve } = Promise.withResolvers<void>();
      batch = { provider, model: outcome.model, calls: 0, latencySumMs: 0, written: promise, markWritten: resolve };
      this.successes.set(key, batch);
    }
    batch.calls++;
    batch.latencySumMs += latencyMs;
    return batch.written;
  }

  private async flushSuccesses(): Promise<void> {
    const batches = [...this.successes.values()];
    this.successes.clear();
    await Promise.all(
      batches.map(async (batch) => {
        await this.write(batch.provider, batch.model, true, batch.latencySumMs / batch.calls, batch.calls);
        batch.markWritten();
      }),
    );
  }

  private async write(provider: ProviderConfig, model: string, ok: boolean, latencyMs: number, calls: number): Promise<void> {
    const breaker = provider.circuitBreaker;
    const geometry = windowGeometry(breaker);
    const keys = healthKeys(this.config.redis.prefix, provider.name);
    try {
      const reply = (await RECORD_OUTCOME.run(
        this.connections.commands,
        [keys.state, keys.window, keys.rate, keys.probe],
        [
          ok ? 1 : 0,
          latencyMs,
          model,
          EWMA_ALPHA,
          breaker.failureThreshold,
          breaker.errorRate,
          breaker.minRequests,
          geometry.bucketS,
          geometry.buckets,
          breaker.cooldownS * 1000,
          breaker.windowS,
          provider.name,
          this.channel,
          calls,
        ],
      )) as [string, string?, string?];
      const [transition, reason, message] = reply;
      if (transition === '' || message === undefined) return;
      this.onMessage(message);
      if (transition === 'opened') this.logger.warn(`circuit of provider ${provider.name} opened: ${reason}`);
      else this.logger.log(`circuit of provider ${provider.name} closed: ${reason}`);
    } catch (error) {
      this.logger.debug(`provider health: could not record calls to ${provider.name}: ${messageOf(error)}`);
    }
  }

  circuit(provider: string): CircuitState {
    const { circuit } = this.cached(provider);
    if (!circuit.open) return 'closed';
    const cooldownMs = (this.config.providers.get(provider)?.circuitBreaker.cooldownS ?? 0) * 1000;
    return Date.now() >= (circuit.openedAtMs ?? 0) + cooldownMs ? 'half_open' : 'open';
  }

  /** True for the one caller, across all processes, that may send the probe call of a half-open circuit. */
  async tryProbe(provider: string): Promise<boolean> {
    const config = this.config.providers.get(provider);
    if (!config || this.circuit(provider) !== 'half_open') return false;
    try {
      const taken = await this.connections.commands.set(healthKeys(this.config.redis.prefix, provider).probe, String(process.pid), 'PX', probeTtlMs(config), 'NX');
      return taken === 'OK';
    } catch (error) {
      this.logger.debug(`provider health: could not take the probe of ${provider}: ${messageOf(error)}`);
      return false;
    }
  }

  latencyMs(provider: string, model: string): number | undefined {
    return this.cached(provider).latencies.get(model);
  }

  throughputPerS(provider: string): number {
    return this.cached(provider).throughputPerS;
  }

  snapshot(provider: string): ProviderHealthView {
    const health = this.cached(provider);
    const { requests, failures } = health.window;
    return {
      circuit: this.circuit(provider),
      consecutive_failures: health.circuit.consecutiveFailures,
      window: { requests, failures, error_rate: requests === 0 ? 0 : round(failures / requests, 4) },
      opened_at: health.circuit.openedAtMs === null ? null : new Date(health.circuit.openedAtMs).toISOString(),
      opened_count: health.circuit.openedCount,
      latency_ewma_ms: Object.fromEntries([...health.latencies].map(([model, ms]) => [model, round(ms, 1)])),
      throughput_per_s: round(health.throughputPerS, 3),
    };
  }

  /** Re-reads every configured provider in one round trip; on error the cache stays as it was. */
  async refresh(): Promise<void> {
    const providers = [...this.config.providers.values()];
    const seqAtRead = this.changeSeq;
    const pipeline = this.connections.commands.pipeline().time();
    for (const provider of providers) {
      const keys = healthKeys(this.config.redis.prefix, provider.name);
      pipeline.hgetall(keys.state).hgetall(keys.window).hgetall(keys.rate);
    }
    const replies = await pipeline.exec();
    if (!replies) throw new Error('the refresh pipeline was discarded');
    const results = replies.map(([error, result]) => {
      if (error) throw error;
      return result;
    });
    // Redis's clock, the one the recording script stamps buckets with.
    const [seconds, micros] = results[0] as [string, string];
    const nowMs = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    providers.forEach((provider, i) => {
      const [state, window, rate] = results.slice(1 + 3 * i, 4 + 3 * i) as Array<Record<string, string>>;
      const previous = this.cache.get(provider.name);
      const transitionedSinceRead = previous !== undefined && previous.circuitSeq > seqAtRead;
      this.cache.set(provider.name, {
        circuit: transitionedSinceRead ? previous.circuit : circuitFromFields(state),
        circuitSeq: previous?.circuitSeq ?? 0,
        window: windowCounts(window, windowGeometry(provider.circuitBreaker), Math.floor(nowMs / 1000)),
        latencies: latenciesFromFields(state),
        throughputPerS: throughputPerS(rate, nowMs),
      });
    });
  }

  private async refreshInBackground(): Promise<void> {
    // A slow Redis must not pile up reads, one per second.
    if (this.refreshing) return;
    this.refreshing = true;
    try {
      await this.refresh();
    } catch (error) {
      this.logger.debug(`provider health: refresh failed, keeping the last known state: ${messageOf(error)}`);
    } finally {
      this.refreshing = false;
    }
  }

  private onMessage(message: string): void {
    const parsed = parseCircuitMessage(message);
    if (!parsed || !this.config.providers.has(parsed.provider)) return;
    this.changeSeq++;
    this.cache.set(parsed.provider, { ...this.cached(parsed.provider), circuit: parsed.circuit, circuitSeq: this.changeSeq });
  }

  private cached(provider: string): CachedHealth {
    return this.cache.get(provider) ?? { circuit: CLOSED_CIRCUIT, circuitSeq: 0, window: { requests: 0, failures: 0 }, latencies: new Map(), throughputPerS: 0 };
  }
}

/**
 * How long a probe holds its token when its outcome never comes (the prober crashed, or the call
 * was canceled and so does not count): at least the call's own timeout, so a slow probe is not
 * joined by a second one.
 */
function probeTtlMs(provider: ProviderConfig): number {
  return Math.max(provider.circuitBreaker.cooldownS * 1000, provider.timeoutMs);
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
