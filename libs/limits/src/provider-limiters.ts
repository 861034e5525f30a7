import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { ServiceUnavailableError } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import Bottleneck from 'bottleneck';
import { Redis } from 'ioredis';
import { ClusterLimiter } from './cluster-limiter';
import { DeadClientReaper, SWEEP_INTERVAL_MS } from './dead-client-reaper';
import { within } from './deadline';
import { messageOf } from './error-message';
import type { LimitedCall, LimiterState } from './limited-call';
import { limitPlans, type LimitLevel, type LimiterSpec, type ProviderLimitPlan } from './limiter-plan';

const QUIT_TIMEOUT_MS = 2_000;

interface Step {
  readonly limiter: ClusterLimiter;
  readonly weight: number;
}

/**
 * The provider limits (rpm, tpm, concurrency; per provider, per model, and the bulk share) for
 * the sum of all worker processes: Bottleneck limiters clustered in Redis over one connection.
 */
@Injectable()
export class ProviderLimiters implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ProviderLimiters.name);
  private readonly plans: ReadonlyMap<string, ProviderLimitPlan>;
  private readonly limiters = new Map<string, ClusterLimiter>();
  private readonly reaper: DeadClientReaper;
  private connection?: Bottleneck.IORedisConnection;
  private sweeps?: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly connections: RedisConnections,
  ) {
    this.plans = limitPlans(config);
    this.reaper = new DeadClientReaper(connections.commands, this.logger);
  }

  /**
   * Every limiter is created at boot, not on first use, so each process writes its config's
   * settings to Redis once and in start order: the newest deploy wins (see ClusterLimiter).
   */
  onApplicationBootstrap(): void {
    for (const plan of this.plans.values()) {
      for (const level of [plan.provider, plan.bulk, ...plan.models.values()]) {
        if (level?.pace) this.limiter(level.pace);
        if (level?.tokens) this.limiter(level.tokens);
      }
    }
  }

  /**
   * Runs `fn` once every limit of the call has room. Rejects with the signal's reason when it is
   * aborted while waiting, with a Redis error when the limiters cannot reach Redis, and with
   * whatever `fn` rejects with.
   */
  async schedule<T>(call: LimitedCall, fn: () => Promise<T>): Promise<T> {
    const plan = this.plans.get(call.provider);
    if (!plan) return fn();
    const steps = this.steps(plan, call);
    // Bottleneck's priorities run 0 (first) to 9.
    const priority = call.priority === undefined ? undefined : Math.min(9, Math.max(0, Math.round(call.priority) - 1));
    const from = (i: number): Promise<T> => {
      const step = steps[i];
      return step === undefined ? fn() : step.limiter.run({ weight: step.weight, priority, signal: call.signal }, () => from(i + 1));
    };
    return from(0);
  }

  async state(provider: string): Promise<LimiterState> {
    const limits = this.configuredLimits(provider);
    const plan = this.plans.get(provider);
    if (!plan) return { ...limits, running: 0, tokens_available: null };
    try {
      const [running, tokens] = await Promise.all([
        plan.provider.pace ? this.limiter(plan.provider.pace).running() : 0,
        plan.provider.tokens ? this.limiter(plan.provider.tokens).available() : null,
      ]);
      return { ...limits, running, tokens_available: tokens };
    } catch (error) {
      this.logger.warn(`limiter state of ${provider}: ${messageOf(error)}`);
      throw new ServiceUnavailableError('Rate limiter state is unavailable: Redis did not answer.');
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeps);
    for (const limiter of this.limiters.values()) limiter.close();
    const connection = this.connection;
    if (!connection) return;
    // Disconnecting the shared connection also stops every limiter's heartbeat.
    try {
      await within(connection.disconnect(true), QUIT_TIMEOUT_MS, () => new Error('quit timed out'));
    } catch {
      await connection.disconnect(false);
    }
  }

  /**
   * The order of the waits matters: token buckets first (they hold no slot), then the pace
   * limiters from the narrowest scope to the provider's, which comes last so that its spacing
   * decides the actual start times and no call holds a provider slot while it waits for a model or
   * bulk slot.
   */
  private steps(plan: ProviderLimitPlan, call: LimitedCall): Step[] {
    const levels: LimitLevel[] = [...(call.interactive || !plan.bulk ? [] : [plan.bulk]), ...this.modelLevel(plan, call.model), plan.provider];
    const tokens = Math.max(0, Math.ceil(call.tokens));
    return [
      // A call heavier than the whole bucket would wait forever; it takes the full bucket instead.
      ...levels.flatMap((level) => (level.tokens ? [{ limiter: this.limiter(level.tokens), weight: Math.min(tokens, level.tokens.capacity) }] : [])),
      ...levels.flatMap((level) => (level.pace ? [{ limiter: this.limiter(level.pace), weight: 1 }] : [])),
    ];
  }

  private configuredLimits(provider: string): Pick<LimiterState, 'rpm' | 'tpm' | 'concurrency'> {
    const limits = this.config.providers.get(provider)?.limits;
    return { rpm: limits?.rpm ?? null, tpm: limits?.tpm ?? null, concurrency: limits?.concurrency ?? null };
  }

  private modelLevel(plan: ProviderLimitPlan, model: string): LimitLevel[] {
    const level = plan.models.get(model);
    return level ? [level] : [];
  }

  private limiter(spec: LimiterSpec): ClusterLimiter {
    let limiter = this.limiters.get(spec.id);
    if (!limiter) {
      if (this.closed) throw new Error('provider limiters are shut down');
      limiter = new ClusterLimiter(spec, this.bottleneckConnection(), this.logger);
      this.limiters.set(spec.id, limiter);
    }
    return limiter;
  }

  /** One connection (a client and a subscriber) for every limiter of the process, made on first need. */
  private bottleneckConnection(): Bottleneck.IORedisConnection {
    if (!this.connection) {
      // Its own clients, not the shared ones: Bottleneck defines its scripts on them and quits them on disconnect.
      const connection = new Bottleneck.IORedisConnection({ Redis, ...this.connections.clientSettings('limits') });
      connection.on('error', (error: unknown) => this.logger.warn(`limits Redis connection: ${messageOf(error)}`));
      this.connection = connection;
      this.sweeps = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
    }
    return this.connection;
  }

  private async sweep(): Promise<void> {
    for (const limiter of this.limiters.values()) await this.reaper.sweep(limiter);
  }
}
