import type { Logger } from '@nestjs/common';
import Bottleneck from 'bottleneck';
import { within } from './deadline';
import { messageOf } from './error-message';
import type { LimiterSpec } from './limiter-plan';

/**
 * Each process's Bottleneck client refreshes its "last seen" in Redis at this pace; one unseen for
 * CLIENT_TIMEOUT_MS counts as dead, and DeadClientReaper then frees the slots it held.
 */
export const HEARTBEAT_MS = 1_500;
export const CLIENT_TIMEOUT_MS = 5_000;
/** How long a call waits for Redis to take on a limiter before it fails as a Redis problem. */
const READY_TIMEOUT_MS = 5_000;

// Bottleneck's typings leave out its clustering timings.
type ClusteredOptions = Bottleneck.ConstructorOptions & { readonly heartbeatInterval: number; readonly clientTimeout: number };

export interface LimiterTurn {
  readonly weight: number;
  /** Bottleneck's scale: 0 (first) to 9. */
  readonly priority?: number;
  readonly signal?: AbortSignal;
}

type TurnOutcome<T> = { readonly ran: true; readonly value: T } | { readonly ran: false };

interface Waiter {
  fail(reason: unknown): void;
}

interface Instance {
  readonly bottleneck: Bottleneck;
  readonly ready: Promise<void>;
  failed: boolean;
}

/**
 * One Bottleneck limiter clustered in Redis, with what Bottleneck lacks: a wait that an
 * AbortSignal or a Redis error ends, stored settings that follow this process's config, and a
 * fresh start after a failed one (Bottleneck keeps a failed start for good).
 */
export class ClusterLimiter {
  private instance: Instance;
  private settingsApplied?: Promise<void>;
  private readonly waiters = new Set<Waiter>();
  private closed = false;

  constructor(
    readonly spec: LimiterSpec,
    private readonly connection: Bottleneck.IORedisConnection,
    private readonly logger: Logger,
  ) {
    this.instance = this.start();
    // Settings are written now, not on first use (see applySettings); a failure is logged and retried on first use.
    this.prepare(this.instance).catch(() => undefined);
  }

  /** Runs `task` when the cluster has room; the turn's weight counts against the limits while it runs. */
  async run<T>(turn: LimiterTurn, task: () => Promise<T>): Promise<T> {
    const bottleneck = await this.ready(turn.signal);
    const { signal } = turn;
    return new Promise<T>((resolve, reject) => {
      let waiting = true;
      const stopWaiting = () => {
        waiting = false;
        this.waiters.delete(waiter);
        signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        fail: (reason) => {
          if (!waiting) return;
          stopWaiting();
          reject(reason);
        },
      };
      const onAbort = () => waiter.fail(signal?.reason);
      this.waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      // Bottleneck cannot take a job back out of its queue, so a call given up while waiting keeps
      // its place and passes it on at once when its turn comes.
      bottleneck
        .schedule({ weight: turn.weight, priority: turn.priority }, async (): Promise<TurnOutcome<T>> => {
          if (!waiting) {
            this.giveBack(bottleneck, turn.weight);
            return { ran: false };
          }
          stopWaiting();
          return { ran: true, value: await task() };
        })
        .then(
          (outcome) => {
            if (outcome.ran) resolve(outcome.value);
          },
          (error: unknown) => {
            stopWaiting();
            reject(error);
          },
        );
    });
  }

  /** Weight in flight across all processes (calls, for a pace limiter). */
  async running(): Promise<number> {
    return (await this.ready()).running();
  }

  /** The reservoir (tokens left, for a token bucket), or null without one. */
  async available(): Promise<number | null> {
    return (await this.ready()).currentReservoir();
  }

  /** Rejects the calls still waiting here; the shared connection is closed by the owner. */
  close(): void {
    this.closed = true;
    const reason = new Error(`rate limiter ${this.spec.id} is shut down`);
    for (const waiter of [...this.waiters]) waiter.fail(reason);
  }

  private async ready(signal?: AbortSignal): Promise<Bottleneck> {
    if (this.closed) throw new Error(`rate limiter ${this.spec.id} is shut down`);
    if (this.instance.failed) this.instance = this.start();
    const { bottleneck } = this.instance;
    const timeout = () => new Error(`rate limiter ${this.spec.id}: Redis did not answer within ${READY_TIMEOUT_MS} ms`);
    await within(this.prepare(this.instance), READY_TIMEOUT_MS, timeout, signal);
    return bottleneck;
  }

  private async prepare(instance: Instance): Promise<void> {
    await instance.ready;
    this.settingsApplied ??= this.applySettings(instance.bottleneck).catch((error: unknown) => {
      this.settingsApplied = undefined;
      this.logger.warn(`rate limiter ${this.spec.id}: settings not stored: ${messageOf(error)}`);
      throw error;
    });
    await this.settingsApplied;
  }

  private start(): Instance {
    const bottleneck = new Bottleneck(this.constructorOptions());
    bottleneck.on('error', (error: unknown) => this.onError(bottleneck, error));
    const instance: Instance = { bottleneck, ready: bottleneck.ready().then(() => undefined), failed: false };
    instance.ready.catch((error: unknown) => {
      instance.failed = true;
      this.logger.warn(`rate limiter ${this.spec.id} could not start: ${messageOf(error)}`);
    });
    return instance;
  }

  /**
   * The first limiter to reach Redis stores its settings there and later ones only join; so
   * every process overwrites them with its own config once (updateSettings), which leaves the
   * running counts and the token bucket as they are. In a rolling deploy the processes with the
   * new config start last, so the cluster ends on the new limits while the calls already in flight
   * on old processes still count. clearDatastore would forget those calls (double the
   * concurrency for a while) and refill the token bucket on every restart.
   */
  private async applySettings(bottleneck: Bottleneck): Promise<void> {
    await updateStoredSettings(bottleneck, storedSettings(this.spec));
    if (this.spec.kind !== 'tokens') return;
    const { capacity } = this.spec;
    const available = await bottleneck.currentReservoir();
    if (available === null) await updateStoredSettings(bottleneck, { reservoir: capacity });
    // A relative change, so tokens taken meanwhile by other processes still count.
    else if (available > capacity) await bottleneck.incrementReservoir(capacity - available);
  }

  private constructorOptions(): ClusteredOptions {
    return {
      id: this.spec.id,
      datastore: 'ioredis',
      connection: this.connection,
      ...storedSettings(this.spec),
      ...(this.spec.kind === 'tokens' && { reservoir: this.spec.capacity }),
      heartbeatInterval: HEARTBEAT_MS,
      clientTimeout: CLIENT_TIMEOUT_MS,
    };
  }

  /** A call given up while waiting took its tokens when its turn came; they go back. */
  private giveBack(bottleneck: Bottleneck, weight: number): void {
    if (this.spec.kind !== 'tokens' || weight === 0) return;
    bottleneck.incrementReservoir(weight).catch((error: unknown) => this.logger.warn(`rate limiter ${this.spec.id}: tokens of a canceled call not returned: ${messageOf(error)}`));
  }

  /** A Redis error can strand queued calls (Bottleneck retries them only on the next capacity message), so they fail now and their callers retry. */
  private onError(bottleneck: Bottleneck, error: unknown): void {
    this.logger.warn(`rate limiter ${this.spec.id}: ${messageOf(error)}`);
    if (bottleneck !== this.instance.bottleneck) return;
    for (const waiter of [...this.waiters]) waiter.fail(error);
  }
}

/** Every setting is given, so one dropped from the config is cleared in Redis too. */
function storedSettings(spec: LimiterSpec): Bottleneck.ConstructorOptions {
  if (spec.kind === 'pace') {
    return { maxConcurrent: spec.maxConcurrent, minTime: spec.minTime, reservoir: null, reservoirIncreaseInterval: null, reservoirIncreaseAmount: null, reservoirIncreaseMaximum: null };
  }
  return {
    maxConcurrent: null,
    minTime: 0,
    reservoirIncreaseInterval: spec.refillIntervalMs,
    reservoirIncreaseAmount: spec.refillAmount,
    reservoirIncreaseMaximum: spec.capacity,
  };
}

/** Bottleneck types updateSettings as returning the limiter; it returns a promise of it. */
async function updateStoredSettings(bottleneck: Bottleneck, options: Bottleneck.ConstructorOptions): Promise<void> {
  await (bottleneck.updateSettings(options) as unknown as Promise<Bottleneck>);
}
