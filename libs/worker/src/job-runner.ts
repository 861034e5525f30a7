import { setTimeout } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ErrorBody, JobAttempt, JobRequest, JobResult } from '@switchyard/contracts';
import { DeadlineQueue, JobChunks, JobNotifier, JobStore, QueueGateway, type JobFinish, type JobRecord, type ProviderJobData, type StartOutcome } from '@switchyard/jobs';
import { ProviderLimiters } from '@switchyard/limits';
import {
  ModelRegistry,
  ProviderError,
  ProviderRegistry,
  costUsd,
  requestTokenWeight,
  type ProviderAdapter,
  type ProviderCallContext,
  type ProviderErrorKind,
} from '@switchyard/providers';
import { ProviderHealth } from '@switchyard/routing';
import { Metrics } from '@switchyard/telemetry';
import { ChunkRelay } from './chunk-relay';
import { nextStep, type StepRules } from './next-step';
import { SharedCalls, type SharedCallPlan } from './shared-calls';

/** What the queue should do with the entry once the runner is done with it. */
export type RunVerdict =
  | { kind: 'done' }
  /** Done, and this run's result ended the job (the first terminal write). */
  | { kind: 'ended'; result: JobResult }
  /** Back to waiting, and the provider's queue paused this long (a provider 429). */
  | { kind: 'rate_limited'; waitMs: number }
  /** The job ran out of targets: keep the entry on the dead-letter (failed) list. */
  | { kind: 'dead' };

/**
 * How the call began: after START (the cache plan still to make); early, in a worker, with START
 * still on its way; or direct, in the API process that waits for it, with the script that starts
 * it on its way (DirectCallRunner). Only the first plans; the others write nothing until confirmed.
 */
type CallStart = { kind: 'started' } | { kind: 'early' | 'direct'; confirmed: Promise<StartOutcome> };

const DONE: RunVerdict = { kind: 'done' };
const STARTED: CallStart = { kind: 'started' };
const OWN_CALL: SharedCallPlan = { kind: 'own' };
/** How long a first entry waits for a record written in the same round trip (a NOSCRIPT retry at worst). */
const RECORD_WAITS_MS = [5, 50, 500];
const CLIENT_SIDE_KINDS = new Set<ProviderErrorKind>(['invalid_request', 'context_length_exceeded', 'content_filter']);
/** Failures that say something about the provider's health; the rest say something about the request. */
const PROVIDER_FAULTS = new Set<ProviderErrorKind>(['timeout', 'network', 'server_error', 'overloaded', 'bad_response', 'authentication', 'permission', 'unknown']);
const STREAM_INTERRUPTED: ErrorBody = {
  message: 'An earlier run of this job was interrupted after part of the answer had been streamed; a stream cannot start over.',
  type: 'server_error',
  code: 'stream_interrupted',
  param: null,
};
const CIRCUIT_OPEN: ErrorBody = { message: 'Skipped: the provider circuit is open.', type: 'server_error', code: 'circuit_open', param: null };

function errorBody(error: ProviderError): ErrorBody {
  return {
    message: error.message,
    type: CLIENT_SIDE_KINDS.has(error.kind) ? 'invalid_request_error' : 'server_error',
    code: error.kind,
    param: null,
  };
}

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError('unknown', error instanceof Error ? error.message : String(error), { cause: error });
}

type AdapterOutcome = { ok: true; result: JobResult } | { ok: false; error: ProviderError };
const succeeded = (result: JobResult): AdapterOutcome => ({ ok: true, result });
const failed = (error: unknown): AdapterOutcome => ({ ok: false, error: asProviderError(error) });

async function call(adapter: ProviderAdapter, request: JobRequest, ctx: ProviderCallContext, relay?: ChunkRelay): Promise<JobResult> {
  if (request.type === 'chat') {
    const { type: _type, ...chat } = request;
    return relay ? relay.relay(adapter.stream(chat, ctx)) : adapter.generate(chat, ctx);
  }
  if (!adapter.embed) throw new ProviderError('invalid_request', `${adapter.name} has no embeddings API`);
  const { type: _type, ...embedding } = request;
  return adapter.embed(embedding, ctx);
}

/**
 * Runs one queue entry: mark the job active, call the provider under its limits, then record the
 * outcome: a result, a retry or fallback onto a new queue entry, a wait after a 429, or a failure.
 */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);
  private readonly rules: StepRules;

  constructor(
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly providers: ProviderRegistry,
    private readonly models: ModelRegistry,
    private readonly limiters: ProviderLimiters,
    private readonly health: ProviderHealth,
    private readonly notifier: JobNotifier,
    private readonly deadlines: DeadlineQueue,
    private readonly shared: SharedCalls,
    private readonly chunks: JobChunks,
    private readonly metrics: Metrics,
    config: SwitchyardConfig,
  ) {
    this.rules = {
      provider: (name) => {
        const provider = config.providers.get(name);
        if (!provider) throw new Error(`unknown provider '${name}'`);
        return provider;
      },
      model: (name) => config.models.get(name),
      lookup: (model) => models.lookup(model),
      random: Math.random,
    };
  }

  async run(entry: ProviderJobData, signal: AbortSignal): Promise<RunVerdict> {
    if (entry.record && this.runsWithoutStart(entry.record)) return this.runEarly(entry.record, entry, signal);
    const started = await this.start(entry);
    if (started.kind !== 'started') return this.notStarted(started, entry);
    const job = started.record;
    if (job.deadline !== null && Date.now() >= job.deadline) {
      // Its deadline entry fires too, but a job must never start late.
      if ((await this.store.expire(job.id)).kind === 'ended') await this.notifier.jobEnded(job);
      return DONE;
    }
    const skipTo = await this.openCircuitDetour(job);
    if (skipTo !== undefined) {
      const attempt: JobAttempt = { provider: entry.provider, model: entry.model, outcome: 'skipped', started_at: Date.now(), latency_ms: 0, error: CIRCUIT_OPEN };
      await this.move(job, entry, { targetIndex: skipTo, tries: 0 }, attempt);
      return DONE;
    }
    return this.callProvider(job, entry, signal, STARTED);
  }

  /**
   * A plain interactive call need not wait for START (an early start in a worker, or a direct call
   * in the API process) unless something about the job needs START's answer first: a deadline, an
   * open circuit, the cache or coalescing. Streams take the queue (ChunkRelay).
   */
  runsWithoutStart(job: JobRecord): boolean {
    const provider = job.targets[job.targetIndex]?.provider;
    return !job.stream && job.deadline === null && provider !== undefined && this.health.circuit(provider) === 'closed' && !this.shared.applies(job);
  }

  /**
   * Calls the provider while START is on its way: one round trip less before the call. Nothing is
   * written before START confirms that this entry still runs the job, and a call it does not
   * confirm (the job was canceled, or moved on after a crash) is aborted.
   */
  private async runEarly(job: JobRecord, entry: ProviderJobData, signal: AbortSignal): Promise<RunVerdict> {
    const unconfirmed = new AbortController();
    const confirmed = this.start(entry).then((started) => {
      if (started.kind !== 'started') unconfirmed.abort();
      return started;
    });
    // Awaited before any write; until then a rejection must not count as unhandled.
    confirmed.catch(() => undefined);
    return this.callProvider(job, entry, AbortSignal.any([signal, unconfirmed.signal]), { kind: 'early', confirmed });
  }

  /**
   * A direct call (DirectCalls), which CREATE_DIRECT_JOB starts under this process's lease; the
   * caller aborts `signal` when `confirmed` says it did not.
   */
  async runDirect(job: JobRecord, confirmed: Promise<StartOutcome>, signal: AbortSignal): Promise<RunVerdict> {
    const target = job.targets[job.targetIndex];
    // No START for this entry: its tag is never read.
    return this.callProvider(job, { jobId: job.id, hop: job.hop, provider: target.provider, model: target.model, tag: 0 }, signal, { kind: 'direct', confirmed });
  }

  private async notStarted(started: Exclude<StartOutcome, { kind: 'started' }>, entry: ProviderJobData): Promise<RunVerdict> {
    if (started.kind === 'moved') {
      // A crash came between recording a move and queueing it; queueing again is idempotent.
      await this.queues.enqueueCurrentHop(started.record);
      return DONE;
    }
    this.logger.debug(`skipping ${entry.jobId}: ${started.kind === 'terminal' ? started.status : 'no record'}`);
    return DONE;
  }

  /**
   * A job's record and its first entry may be sent together (SubmitJob's front-of-band path), so a
   * first entry that finds no record waits a moment for it before it is dropped.
   */
  private async start(entry: ProviderJobData): Promise<StartOutcome> {
    let started = await this.store.start(entry.jobId, entry);
    for (const waitMs of entry.hop === 0 ? RECORD_WAITS_MS : []) {
      if (started.kind !== 'missing') break;
      await setTimeout(waitMs);
      started = await this.store.start(entry.jobId, entry);
    }
    return started;
  }

  private async callProvider(job: JobRecord, entry: ProviderJobData, signal: AbortSignal, start: CallStart): Promise<RunVerdict> {
    const { provider, model } = entry;
    const startedAt = Date.now();
    const warnings: string[] = [];
    const modelInfo = this.models.lookup(model);
    const attempt = (outcome: JobAttempt['outcome'], error: ErrorBody | null): JobAttempt => ({
      provider, model, outcome, started_at: startedAt, latency_ms: Date.now() - startedAt, error,
      ...(warnings.length > 0 && { warnings }),
    });
    // No ids here: the worker's log context adds jobId and provider to every line.
    this.logger.debug({ model, hop: entry.hop }, 'calling the provider');
    // The others were only taken because the cache and coalescing do not apply (runsWithoutStart).
    const sharing: SharedCallPlan = start.kind === 'started' ? await this.shared.plan(job, entry) : OWN_CALL;
    if (sharing.kind === 'settled') return DONE;
    const relay = job.stream ? new ChunkRelay(this.chunks, job.id) : undefined;
    // A worker that died mid-stream left chunks the client has already read: no second answer.
    if (relay && (await this.chunks.anySent(job.id))) return this.fail(job, attempt('failed', STREAM_INTERRUPTED), STREAM_INTERRUPTED);
    const ctx: ProviderCallContext = { model, signal, jobId: job.id, modelInfo, warn: (message) => warnings.push(message) };
    const limited = { provider, model, tokens: requestTokenWeight(job.request), interactive: job.priority === 1, priority: job.priority, signal };
    let outcome: AdapterOutcome | undefined;
    let callStartedAt = startedAt;
    try {
      // The call's own failure comes back as a value: whatever the limiter throws is then a Redis
      // problem, which propagates so BullMQ retries the entry.
      outcome = await this.limiters.schedule(limited, () => {
        callStartedAt = Date.now();
        return call(this.providers.get(provider), job.request, ctx, relay).then(succeeded, failed);
      });
    } catch (error) {
      if (!signal.aborted) throw error;
    }
    if (start.kind !== 'started') {
      const started = await start.confirmed;
      if (started.kind !== 'started') return this.notStarted(started, entry);
    }
    if (outcome === undefined) return DONE;
    // A canceled job's record was already made terminal by the cancel itself.
    if (!outcome.ok && outcome.error.kind === 'canceled' && signal.aborted) return DONE;
    this.metrics.providerCall(provider, model, outcome.ok ? 'success' : outcome.error.kind, Date.now() - callStartedAt);
    if (!outcome.ok) {
      const { error } = outcome;
      if (sharing.kind === 'lead') await this.shared.settle(sharing.key, sharing.ttlS, job.id, null);
      void this.health.record({ provider, model, ok: false, latencyMs: Date.now() - startedAt, counts: PROVIDER_FAULTS.has(error.kind) });
      // Once the client has read part of an answer, another target's answer cannot follow it.
      if (relay?.sent) return this.fail(job, attempt('failed', errorBody(error)), errorBody(error));
      return this.afterFailure(job, entry, error, attempt('failed', errorBody(error)));
    }
    const { result } = outcome;
    void this.health.record({ provider, model, ok: true, latencyMs: Date.now() - startedAt, counts: true });
    const usage = 'choices' in result ? result.usage : { ...result.usage, completion_tokens: 0 };
    // A direct call's own API process answers from the result it returns (DirectCallRunner).
    const finish: JobFinish = { status: 'succeeded', attempt: attempt('succeeded', null), result, usage, costUsd: costUsd(modelInfo, usage), answered: start.kind === 'direct' };
    this.metrics.usage(job.owner, provider, model, usage, finish.costUsd ?? null);
    if (sharing.kind === 'lead') await this.shared.settle(sharing.key, sharing.ttlS, job.id, { result, usage, entry });
    // A Redis error here is not the provider's fault; it propagates so BullMQ retries the entry.
    if (!(await this.store.finish(job.id, finish))) return DONE;
    await this.ended(job);
    return { kind: 'ended', result };
  }

  /** After the first terminal write only: a duplicate run must not announce the job twice. */
  private async ended(job: JobRecord): Promise<void> {
    await this.notifier.jobEnded(job);
    if (job.deadline !== null) await this.deadlines.cancel(job.id);
  }

  private async afterFailure(job: JobRecord, entry: ProviderJobData, error: ProviderError, attempt: JobAttempt): Promise<RunVerdict> {
    const step = nextStep({ error, targets: job.targets, targetIndex: job.targetIndex, tries: job.tries }, this.rules);
    this.logger.warn({ jobId: job.id, provider: entry.provider, kind: error.kind, status: error.status, next: step.kind }, `job attempt failed on ${entry.provider}`);
    switch (step.kind) {
      case 'retry':
        await this.move(job, entry, { targetIndex: job.targetIndex, tries: job.tries + 1, delayMs: step.delayMs }, attempt);
        return DONE;
      case 'fallback':
        await this.move(job, entry, { targetIndex: step.targetIndex, tries: 0 }, attempt);
        return DONE;
      case 'wait': {
        // Same hop: the entry itself goes back to waiting; nothing new is queued.
        const moved = await this.store.move(job.id, { fromHop: entry.hop, toHop: entry.hop, targetIndex: job.targetIndex, tries: job.tries + 1, attempt });
        if (moved !== 'moved') return DONE;
        this.metrics.providerRateLimitWait(entry.provider, step.delayMs);
        return { kind: 'rate_limited', waitMs: step.delayMs };
      }
      case 'fail':
        return this.fail(job, attempt, attempt.error ?? errorBody(error));
    }
  }

  private async fail(job: JobRecord, attempt: JobAttempt, error: ErrorBody): Promise<RunVerdict> {
    if (await this.store.finish(job.id, { status: 'failed', attempt, error })) await this.ended(job);
    return { kind: 'dead' };
  }

  /** Where to go instead when this target's provider has an open circuit and a later one does not. */
  private async openCircuitDetour(job: JobRecord): Promise<number | undefined> {
    const provider = job.targets[job.targetIndex]?.provider;
    if (provider === undefined) return undefined;
    const state = this.health.circuit(provider);
    if (state === 'closed' || (state === 'half_open' && (await this.health.tryProbe(provider)))) return undefined;
    const next = job.targets.findIndex((target, i) => i > job.targetIndex && this.health.circuit(target.provider) !== 'open');
    // With nowhere better to go, the call goes ahead: it doubles as a probe.
    return next === -1 ? undefined : next;
  }

  private async move(job: JobRecord, entry: ProviderJobData, to: { targetIndex: number; tries: number; delayMs?: number }, attempt: JobAttempt): Promise<void> {
    const hop = entry.hop + 1;
    const moved = await this.store.move(job.id, { fromHop: entry.hop, toHop: hop, targetIndex: to.targetIndex, tries: to.tries, attempt });
    // 'stale' or 'terminal': a duplicate run moved it already, or it was canceled meanwhile.
    if (moved !== 'moved') return;
    if (to.targetIndex === job.targetIndex) this.metrics.retry(entry.provider, entry.model);
    else this.metrics.fallback(entry.provider, job.targets[to.targetIndex]?.provider ?? 'none');
    await this.queues.enqueueCurrentHop({ ...job, hop, targetIndex: to.targetIndex }, { delayMs: to.delayMs });
  }
}
