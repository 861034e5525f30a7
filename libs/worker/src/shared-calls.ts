import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { CachePolicy, InflightCalls, ResponseCache, cacheKey, type CacheDecision, type CachedResponse, type CacheKey } from '@switchyard/cache';
import type { JobAttempt, JobResult, Usage } from '@switchyard/contracts';
import { JobNotifier, JobStore, QueueGateway, type JobRecord, type ProviderJobData } from '@switchyard/jobs';
import { Metrics } from '@switchyard/telemetry';

/** A leader's claim must outlast its call: the provider timeout plus room for the limiter and the write. */
const LEASE_MARGIN_MS = 30_000;

/** What a job should do about the response cache before calling its provider. */
export type SharedCallPlan =
  /** No cache for this job: call as usual. */
  | { kind: 'own' }
  /** The job's result came from the cache, or it waits for an identical call: nothing more to do. */
  | { kind: 'settled' }
  /** The job leads: call, then `settle` the jobs waiting for the same answer. */
  | { kind: 'lead'; key: CacheKey; ttlS: number };

/**
 * The response cache and the coalescing of identical calls, for the runner: one job of a group of
 * identical deterministic requests calls the provider; the others wait for its answer on a
 * delayed re-check entry, so none waits forever if the leader dies (see InflightCalls).
 */
@Injectable()
export class SharedCalls {
  private readonly logger = new Logger(SharedCalls.name);

  constructor(
    private readonly policy: CachePolicy,
    private readonly cache: ResponseCache,
    private readonly inflight: InflightCalls,
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly notifier: JobNotifier,
    private readonly config: SwitchyardConfig,
    private readonly metrics: Metrics,
  ) {}

  /** Whether the cache and coalescing take part in this job's call at all. */
  applies(job: JobRecord): boolean {
    return this.decision(job).enabled;
  }

  private decision(job: JobRecord): CacheDecision {
    const target = job.targets[job.targetIndex];
    return this.policy.decide(job.request, target?.via ?? job.model, job.cache ?? undefined);
  }

  async plan(job: JobRecord, entry: ProviderJobData): Promise<SharedCallPlan> {
    const decision = this.decision(job);
    if (!decision.enabled) return { kind: 'own' };
    const key = cacheKey(job.request, { provider: entry.provider, model: entry.model }, this.policy.scope(job.owner));
    const hit = await this.cache.get(key);
    if (hit) {
      this.metrics.cacheHit(entry.provider, 'cache');
      await this.finishShared(job.id, hit, entry);
      return { kind: 'settled' };
    }
    const lease = this.leaseMs(entry.provider);
    const claim = await this.inflight.claim(key, job.id, lease);
    // An identical call finished between the lookup above and the claim: its answer, not a second call.
    if (claim.role === 'hit') {
      this.metrics.cacheHit(entry.provider, 'cache');
      await this.finishShared(job.id, claim.response, entry);
      return { kind: 'settled' };
    }
    if (claim.role === 'leader') {
      this.metrics.cacheMiss(entry.provider);
      return { kind: 'lead', key, ttlS: decision.ttlS };
    }
    // A new hop with no attempt of its own: the re-check comes back after one lease at the latest.
    const hop = entry.hop + 1;
    const moved = await this.store.move(job.id, { fromHop: entry.hop, toHop: hop, targetIndex: job.targetIndex, tries: job.tries });
    if (moved === 'moved') {
      await this.queues.enqueue({ jobId: job.id, hop, provider: entry.provider, model: entry.model, owner: job.owner, urgency: job.priority, delayMs: lease });
    }
    return { kind: 'settled' };
  }

  /** After the leader's call: the waiting jobs get its answer, or run on their own after a failure. */
  async settle(key: CacheKey, ttlS: number, leader: string, outcome: { result: JobResult; usage: Usage; entry: ProviderJobData } | null): Promise<void> {
    if (!outcome) {
      const followers = await this.inflight.complete(key, leader, { ok: false });
      await Promise.all(followers.map((id) => this.runNow(id)));
      return;
    }
    const { result, usage, entry } = outcome;
    const response: CachedResponse = { result, usage, provider: entry.provider, provider_model: entry.model, stored_at: Date.now() };
    const followers = await this.inflight.complete(key, leader, { ok: true, response, ttlS });
    this.metrics.cacheHit(entry.provider, 'coalesced', followers.length);
    await Promise.all(followers.map((id) => this.finishShared(id, response, entry)));
  }

  private async finishShared(id: string, response: CachedResponse, entry: ProviderJobData): Promise<void> {
    const attempt: JobAttempt = { provider: response.provider, model: response.provider_model, outcome: 'succeeded', started_at: Date.now(), latency_ms: 0, error: null };
    const written = await this.store.finish(id, { status: 'succeeded', attempt, result: response.result, usage: response.usage, costUsd: 0, cached: true });
    if (written) await this.notifier.jobEndedById(id);
    this.logger.debug({ jobId: id, provider: entry.provider }, 'answered from the cache or an identical call');
  }

  /** A follower whose leader failed does not wait out its lease: its re-check entry runs now. */
  private async runNow(id: string): Promise<void> {
    const record = await this.store.find(id);
    const target = record?.targets[record.targetIndex];
    if (record && target) await this.queues.promote(target.provider, id, record.hop);
  }

  private leaseMs(provider: string): number {
    return (this.config.providers.get(provider)?.timeoutMs ?? 60_000) + LEASE_MARGIN_MS;
  }
}
