import 'reflect-metadata';
import { PrivateRedis, waitFor, writeConfig } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { ServiceUnavailableError } from '@switchyard/contracts';
import { ProviderLimiters, type LimitedCall } from '@switchyard/limits';
import { RedisConnections } from '@switchyard/redis';

const LIMITS_YAML = `
providers:
  paced: { type: mock, limits: { rpm: 120 } }
  narrow: { type: mock, limits: { concurrency: 5 } }
  tokens: { type: mock, limits: { tpm: 6000 } }
  small-bucket: { type: mock, limits: { tpm: 1200 } }
  per-model:
    type: mock
    limits:
      concurrency: 4
      models:
        small: { concurrency: 1 }
        roomy: { concurrency: 10 }
  reserved: { type: mock, limits: { concurrency: 4, interactive_reserve: 0.5 } }
  single: { type: mock, limits: { concurrency: 1 } }
  dying: { type: mock, limits: { concurrency: 1 } }
  changing: { type: mock, limits: { concurrency: 1 } }
  unlimited: { type: mock }
models:
  any: { targets: [{ provider: unlimited, model: any }] }
`;

/** One "process": its own Redis connections and limiters, built from the same config. */
interface LimiterProcess {
  limiters: ProviderLimiters;
  connections: RedisConnections;
  stop(): Promise<void>;
}

function startProcess(config: SwitchyardConfig): LimiterProcess {
  const connections = new RedisConnections(config);
  const limiters = new ProviderLimiters(config, connections);
  limiters.onApplicationBootstrap();
  let stopped = false;
  return {
    limiters,
    connections,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await limiters.onApplicationShutdown();
      await connections.onApplicationShutdown();
    },
  };
}

function call(provider: string, extra: Partial<LimitedCall> = {}): LimitedCall {
  return { provider, model: 'any', tokens: 10, interactive: true, ...extra };
}

/** Counts calls in flight and remembers the most seen at once. */
class InFlight {
  now = 0;
  max = 0;

  async hold<T>(ms: number, value?: T): Promise<T | undefined> {
    this.now++;
    this.max = Math.max(this.max, this.now);
    try {
      await sleep(ms);
      return value;
    } finally {
      this.now--;
    }
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('ProviderLimiters', () => {
  let redis: PrivateRedis;
  let configPath: string;
  let config: SwitchyardConfig;
  const running: LimiterProcess[] = [];

  const processes = (count: number, from: SwitchyardConfig = config): LimiterProcess[] => {
    const started = Array.from({ length: count }, () => startProcess(from));
    running.push(...started);
    return started;
  };

  before(async () => {
    redis = await PrivateRedis.start();
    configPath = await writeConfig(LIMITS_YAML);
    config = loadConfig({ SWITCHYARD_CONFIG: configPath, REDIS_URL: redis.url });
  });

  after(async () => {
    await Promise.all(running.map((p) => p.stop()));
    await redis.stop();
  });

  // The two slow ones (each ~10 s of real time) run side by side, on providers of their own.
  describe('over time', { concurrency: true }, () => {
    it('spaces rpm across processes: starts 60 000/rpm ms apart, give or take timer lag, at >= 90% of the limit', async () => {
      const workers = processes(3);
      const starts: number[] = [];
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          workers[i % 3].limiters.schedule(call('paced'), async () => {
            starts.push(Date.now());
          }),
        ),
      );
      starts.sort((a, b) => a - b);
      // rpm 120: start times are reserved 500 ms apart in Redis, and each runs when its process's
      // timer fires, late by however long that event loop was busy (on a loaded machine, 100 ms
      // and more) while the next one is on time. So most gaps are 500 ms and any k+1 starts span
      // k × 500 ms less that lag; a limiter not shared by the processes, or not pacing, fails both.
      const gaps = starts.slice(1).map((t, i) => t - starts[i]);
      const median = [...gaps].sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
      assert.ok(median >= 450, `median gap ${median} ms: ${JSON.stringify(gaps)}`);
      for (let i = 0; i < starts.length; i++) {
        for (let k = 2; i + k < starts.length; k++) {
          assert.ok(starts[i + k] - starts[i] >= k * 500 - 1000, `${k + 1} starts within ${starts[i + k] - starts[i]} ms: gaps ${JSON.stringify(gaps)}`);
        }
      }
      const perMinute = ((starts.length - 1) / (starts[starts.length - 1] - starts[0])) * 60_000;
      assert.ok(perMinute >= 0.9 * 120, `throughput ${perMinute.toFixed(1)} rpm`);
    });

    it('frees the slots of a process that died while holding them within about 10 s', async () => {
      const [doomed, survivor] = processes(2);
      const started = deferred();
      void doomed.limiters.schedule(call('dying'), () => {
        started.resolve();
        return new Promise<void>(() => undefined);
      });
      await started.promise;
      let ranAt = 0;
      const waiting = survivor.limiters.schedule(call('dying'), async () => {
        ranAt = Date.now();
      });
      await sleep(500);
      assert.equal(ranAt, 0, 'the slot is still held by the live process');
      // Stops its heartbeat without freeing the slot, as a crash would.
      await doomed.stop();
      const diedAt = Date.now();
      await waiting;
      const freedAfter = ranAt - diedAt;
      assert.ok(freedAfter <= 12_000, `slot freed ${freedAfter} ms after the process died`);
      assert.ok(freedAfter >= 4_000, `slot freed too early (${freedAfter} ms), a live process could lose its slots`);
    });
  });

  describe('at once', () => {
    it('never has more than the concurrency limit in flight across processes, and reaches it', async () => {
      const workers = processes(3);
      const flight = new InFlight();
      await Promise.all(Array.from({ length: 40 }, (_, i) => workers[i % 3].limiters.schedule(call('narrow'), () => flight.hold(100))));
      assert.equal(flight.max, 5);
    });

    it('weighs calls by tokens against tpm: a third 3000-token call waits for the bucket to refill', async () => {
      const [worker] = processes(1);
      let started = 0;
      const run = () => {
        started++;
        return Promise.resolve();
      };
      await Promise.all([worker.limiters.schedule(call('tokens', { tokens: 3000 }), run), worker.limiters.schedule(call('tokens', { tokens: 3000 }), run)]);
      const state = await worker.limiters.state('tokens');
      assert.equal(state.tpm, 6000);
      assert.ok(state.tokens_available !== null && state.tokens_available < 1000, `tokens_available ${state.tokens_available}`);
      const abort = new AbortController();
      const third = worker.limiters.schedule(call('tokens', { tokens: 3000, signal: abort.signal }), run);
      await sleep(300);
      assert.equal(started, 2, 'the third call has not started');
      abort.abort(new Error('test over'));
      await assert.rejects(third, /test over/);
    });

    it('lets a call heavier than the whole bucket through with the full bucket', async () => {
      const [worker] = processes(1);
      const value = await worker.limiters.schedule(call('small-bucket', { tokens: 50_000 }), async () => 'ran');
      assert.equal(value, 'ran');
      const state = await worker.limiters.state('small-bucket');
      assert.ok(state.tokens_available !== null && state.tokens_available <= 20, `tokens_available ${state.tokens_available}`);
    });

    it("applies a model's limit on top of the provider's", async () => {
      const [a, b] = processes(2);
      const small = new InFlight();
      const roomy = new InFlight();
      const all = new InFlight();
      const both = (flight: InFlight) => () => Promise.all([flight.hold(150), all.hold(150)]);
      await Promise.all([
        ...Array.from({ length: 3 }, (_, i) => [a, b][i % 2].limiters.schedule(call('per-model', { model: 'small' }), both(small))),
        ...Array.from({ length: 8 }, (_, i) => [a, b][i % 2].limiters.schedule(call('per-model', { model: 'roomy' }), both(roomy))),
      ]);
      assert.equal(small.max, 1, 'the small model runs one at a time');
      assert.ok(all.max <= 4, `provider concurrency exceeded: ${all.max}`);
      assert.ok(roomy.max >= 3, `the roomy model is held to the provider's 4, not below: ${roomy.max}`);
    });

    it('keeps the interactive reserve: bulk calls use at most half, interactive ones the whole limit', async () => {
      const [a, b] = processes(2);
      const bulk = new InFlight();
      const all = new InFlight();
      const both = (flight: InFlight) => () => Promise.all([flight.hold(200), all.hold(200)]);
      await Promise.all([
        ...Array.from({ length: 6 }, (_, i) => [a, b][i % 2].limiters.schedule(call('reserved', { interactive: false, priority: 5 }), both(bulk))),
        ...Array.from({ length: 6 }, (_, i) => [a, b][i % 2].limiters.schedule(call('reserved', { interactive: true, priority: 1 }), () => all.hold(200))),
      ]);
      assert.equal(bulk.max, 2, 'bulk calls in flight');
      assert.ok(all.max <= 4, `provider concurrency exceeded: ${all.max}`);

      const interactive = new InFlight();
      await Promise.all(Array.from({ length: 6 }, (_, i) => [a, b][i % 2].limiters.schedule(call('reserved'), () => interactive.hold(150))));
      assert.equal(interactive.max, 4, 'interactive calls in flight');
    });

    it('rejects a waiting call at once when its signal aborts, and the next call gets the slot', async () => {
      const [worker] = processes(1);
      const release = deferred();
      const holding = worker.limiters.schedule(call('single'), () => release.promise);
      await waitFor(async () => (await worker.limiters.state('single')).running === 1, { message: 'the first call to run' });
      const abort = new AbortController();
      let abortedRan = false;
      const aborted = worker.limiters.schedule(call('single', { signal: abort.signal }), async () => {
        abortedRan = true;
      });
      let nextRanAt = 0;
      const next = worker.limiters.schedule(call('single'), async () => {
        nextRanAt = Date.now();
      });
      await sleep(100);
      const reason = new Error('client canceled');
      const abortedAt = Date.now();
      abort.abort(reason);
      await assert.rejects(aborted, (error) => error === reason);
      assert.ok(Date.now() - abortedAt < 50, 'rejected promptly');
      const releasedAt = Date.now();
      release.resolve();
      await Promise.all([holding, next]);
      assert.equal(abortedRan, false);
      assert.ok(nextRanAt - releasedAt < 1_000, `the next call waited ${nextRanAt - releasedAt} ms after the slot was freed`);
      assert.equal((await worker.limiters.state('single')).running, 0);
    });

    it('rejects at once with the reason when the signal is already aborted', async () => {
      const [worker] = processes(1);
      const reason = new Error('already gone');
      await assert.rejects(
        worker.limiters.schedule(call('single', { signal: AbortSignal.abort(reason) }), async () => 'ran'),
        (error) => error === reason,
      );
    });

    it('moves the Redis-stored settings to the config of the process started last', async () => {
      const [old] = processes(1);
      const flight = new InFlight();
      await Promise.all(Array.from({ length: 3 }, () => old.limiters.schedule(call('changing'), () => flight.hold(100))));
      assert.equal(flight.max, 1);

      const changedPath = await writeConfig(LIMITS_YAML.replace('changing: { type: mock, limits: { concurrency: 1 } }', 'changing: { type: mock, limits: { concurrency: 3 } }'));
      const changed = loadConfig({ SWITCHYARD_CONFIG: changedPath, REDIS_URL: redis.url });
      const [fresh] = processes(1, changed);
      // A call waits for the limiter to be ready, which includes writing its settings.
      await fresh.limiters.schedule(call('changing'), async () => undefined);
      const after = new InFlight();
      await Promise.all(Array.from({ length: 6 }, () => old.limiters.schedule(call('changing'), () => after.hold(150))));
      assert.equal(after.max, 3);
    });

    it('runs calls of a provider without limits at once, without touching Redis', async () => {
      // Nothing listens on this port: any Redis command would fail or hang.
      const offline = loadConfig({ SWITCHYARD_CONFIG: await writeConfig('providers:\n  unlimited: { type: mock }\nmodels:\n  any: { targets: [{ provider: unlimited, model: any }] }\n'), REDIS_URL: 'redis://127.0.0.1:1' });
      const [worker] = processes(1, offline);
      const startedAt = Date.now();
      assert.equal(await worker.limiters.schedule(call('unlimited'), async () => 'ran'), 'ran');
      assert.ok(Date.now() - startedAt < 50);
      assert.deepEqual(await worker.limiters.state('unlimited'), { rpm: null, tpm: null, concurrency: null, running: 0, tokens_available: null });
    });

    it('rejects schedule and state when Redis is gone', async () => {
      const lonely = await PrivateRedis.start();
      try {
        const [worker] = processes(1, loadConfig({ SWITCHYARD_CONFIG: configPath, REDIS_URL: lonely.url }));
        await worker.limiters.schedule(call('narrow'), async () => undefined);
        await lonely.kill();
        let ran = false;
        await assert.rejects(
          worker.limiters.schedule(call('narrow'), async () => {
            ran = true;
          }),
        );
        assert.equal(ran, false);
        await assert.rejects(worker.limiters.state('narrow'), ServiceUnavailableError);
      } finally {
        await lonely.stop();
      }
    });
  });
});
