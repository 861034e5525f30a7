import 'reflect-metadata';
import { PrivateRedis, waitFor, writeConfig } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig, type SwitchyardConfig } from '@switchyard/config';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { ProviderHealth, type CallOutcome } from '@switchyard/routing';
import { Metrics } from '@switchyard/telemetry';

const HEALTH_YAML = `
providers:
  streak: { type: mock, circuit_breaker: { failure_threshold: 3, cooldown_s: 60 } }
  flaky: { type: mock, circuit_breaker: { failure_threshold: 100, error_rate: 0.5, min_requests: 10, window_s: 60 } }
  probed: { type: mock, circuit_breaker: { failure_threshold: 2, cooldown_s: 1 } }
  ignored: { type: mock, circuit_breaker: { failure_threshold: 1 } }
  timed: { type: mock }
  shown: { type: mock, circuit_breaker: { failure_threshold: 2, cooldown_s: 60 } }
  outage: { type: mock, circuit_breaker: { failure_threshold: 1, cooldown_s: 60 } }
models:
  any: { targets: [{ provider: timed, model: any }] }
`;

/** One "process": its own Redis connections, subscriber and health cache, built from the same config. */
interface HealthProcess {
  health: ProviderHealth;
  connections: RedisConnections;
  stop(): Promise<void>;
}

async function startProcess(config: SwitchyardConfig): Promise<HealthProcess> {
  const connections = new RedisConnections(config);
  const health = new ProviderHealth(config, connections, new RedisSubscriber(connections), new Metrics());
  await health.onModuleInit();
  let stopped = false;
  return {
    health,
    connections,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      health.onModuleDestroy();
      await connections.onApplicationShutdown();
    },
  };
}

function outcome(provider: string, ok: boolean, extra: Partial<CallOutcome> = {}): CallOutcome {
  return { provider, model: 'm', ok, latencyMs: 50, counts: true, ...extra };
}

async function recordAll(health: ProviderHealth, outcomes: CallOutcome[]): Promise<void> {
  for (const each of outcomes) await health.record(each);
}

describe('ProviderHealth', () => {
  let redis: PrivateRedis;
  let config: SwitchyardConfig;
  let a: HealthProcess;
  let b: HealthProcess;

  before(async () => {
    redis = await PrivateRedis.start();
    config = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(HEALTH_YAML), REDIS_URL: redis.url });
    [a, b] = await Promise.all([startProcess(config), startProcess(config)]);
  });

  after(async () => {
    await Promise.all([a, b].map((p) => p?.stop()));
    await redis?.stop();
  });

  it('opens after failure_threshold consecutive failures, and the other process sees it over pub/sub within 200 ms', async () => {
    // B may only learn of the opening from the message: its periodic re-read is switched off.
    b.health.refresh = async () => undefined;
    await recordAll(a.health, [outcome('streak', false), outcome('streak', false), outcome('streak', true), outcome('streak', false), outcome('streak', false)]);
    assert.equal(a.health.circuit('streak'), 'closed', 'a success in between resets the streak');
    const failedAt = Date.now();
    await a.health.record(outcome('streak', false));
    assert.equal(a.health.circuit('streak'), 'open');
    await waitFor(() => b.health.circuit('streak') === 'open', { timeoutMs: 1000, intervalMs: 5, message: 'B to see the open circuit' });
    const seenAfter = Date.now() - failedAt;
    assert.ok(seenAfter <= 200, `B saw the opening after ${seenAfter} ms`);
    Reflect.deleteProperty(b.health, 'refresh');
  });

  it('opens on the error rate once min_requests calls are in the window, not before', async () => {
    // 5 failures in 9 calls (56%) but under min_requests 10; no streak reaches failure_threshold.
    const nine = [true, false, false, true, false, true, false, true, false].map((ok) => outcome('flaky', ok));
    await recordAll(a.health, nine);
    await b.health.refresh();
    assert.equal(b.health.circuit('flaky'), 'closed');
    assert.deepEqual(b.health.snapshot('flaky').window, { requests: 9, failures: 5, error_rate: 0.5556 });
    await b.health.record(outcome('flaky', false));
    assert.equal(b.health.circuit('flaky'), 'open');
    await waitFor(() => a.health.circuit('flaky') === 'open', { timeoutMs: 1000, message: 'A to see the open circuit' });
  });

  it('goes half-open after the cooldown: one probe across processes, a success closes it, a failure reopens it', async () => {
    await recordAll(a.health, [outcome('probed', false), outcome('probed', false)]);
    assert.equal(a.health.circuit('probed'), 'open');
    assert.equal(await a.health.tryProbe('probed'), false, 'no probe while cooling down');

    const probeOnce = async (): Promise<ProviderHealth> => {
      await waitFor(() => a.health.circuit('probed') === 'half_open' && b.health.circuit('probed') === 'half_open', { timeoutMs: 3000 });
      const racers = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).health);
      const won = await Promise.all(racers.map((health) => health.tryProbe('probed')));
      assert.equal(won.filter(Boolean).length, 1, `probes granted: ${won.filter(Boolean).length}`);
      return racers[won.indexOf(true)];
    };

    const failingProber = await probeOnce();
    await failingProber.record(outcome('probed', false));
    assert.equal(failingProber.circuit('probed'), 'open', 'a failed probe reopens with a fresh cooldown');
    await b.health.refresh();
    assert.equal(b.health.snapshot('probed').opened_count, 2);

    const prober = await probeOnce();
    await prober.record(outcome('probed', true));
    assert.equal(prober.circuit('probed'), 'closed');
    await waitFor(() => a.health.circuit('probed') === 'closed' && b.health.circuit('probed') === 'closed', { timeoutMs: 1000 });
    await a.health.refresh();
    const view = a.health.snapshot('probed');
    assert.equal(view.consecutive_failures, 0);
    assert.deepEqual(view.window, { requests: 0, failures: 0, error_rate: 0 }, 'closing starts a clean window');
    assert.equal(await a.health.tryProbe('probed'), false, 'no probe while closed');
    await a.health.record(outcome('probed', false));
    assert.equal(a.health.circuit('probed'), 'closed', 'one failure after closing is not a streak');
  });

  it('ignores outcomes that do not count against the provider', async () => {
    await recordAll(a.health, Array.from({ length: 5 }, () => outcome('ignored', false, { counts: false })));
    await a.health.refresh();
    assert.equal(a.health.circuit('ignored'), 'closed');
    assert.equal(a.health.throughputPerS('ignored'), 0);
    assert.deepEqual(a.health.snapshot('ignored').window, { requests: 0, failures: 0, error_rate: 0 });
    assert.deepEqual(await redis.client().keys('*ignored*'), []);
  });

  it('moves the latency EWMA toward new latencies and measures throughput', async () => {
    assert.equal(a.health.latencyMs('timed', 'fast'), undefined);
    await a.health.record(outcome('timed', true, { model: 'fast', latencyMs: 100 }));
    await a.health.record(outcome('timed', true, { model: 'fast', latencyMs: 200 }));
    await a.health.record(outcome('timed', false, { model: 'fast', latencyMs: 5000 }));
    await a.health.record(outcome('timed', true, { model: 'slow', latencyMs: 900 }));
    await b.health.refresh();
    assert.equal(b.health.latencyMs('timed', 'fast'), 130, 'alpha 0.3; failures leave it alone');
    assert.equal(b.health.latencyMs('timed', 'slow'), 900);
    for (let i = 0; i < 5; i++) await a.health.record(outcome('timed', true, { model: 'fast', latencyMs: 1000 }));
    await b.health.refresh();
    const latest = b.health.latencyMs('timed', 'fast') ?? 0;
    assert.ok(latest > 800 && latest < 1000, `EWMA ${latest}`);
    assert.ok(b.health.throughputPerS('timed') > 0.25, `throughput ${b.health.throughputPerS('timed')}`);
  });

  it('puts an expiry on the window and throughput buckets', async () => {
    const client = redis.client();
    for (const key of ['sy:health:timed:window', 'sy:health:timed:rate']) {
      const ttl = await client.ttl(key);
      assert.ok(ttl > 0 && ttl <= 62, `${key} ttl ${ttl}`);
    }
    assert.equal(await client.ttl('sy:health:timed'), -1, 'the state hash (opening count, latencies) is kept');
  });

  it('shows a snapshot in the /v1/providers shape', async () => {
    await recordAll(a.health, [outcome('shown', true, { latencyMs: 40 }), outcome('shown', false), outcome('shown', false)]);
    await b.health.refresh();
    const view = b.health.snapshot('shown');
    assert.ok(view.opened_at !== null && !Number.isNaN(Date.parse(view.opened_at)) && view.opened_at.endsWith('Z'), `opened_at ${view.opened_at}`);
    assert.ok(Math.abs(Date.parse(view.opened_at) - Date.now()) < 5000);
    assert.ok(view.throughput_per_s > 0);
    assert.deepEqual(
      { ...view, opened_at: 'iso', throughput_per_s: 'positive' },
      {
        circuit: 'open',
        consecutive_failures: 2,
        window: { requests: 3, failures: 2, error_rate: 0.6667 },
        opened_at: 'iso',
        opened_count: 1,
        latency_ewma_ms: { m: 40 },
        throughput_per_s: 'positive',
      },
    );
    assert.deepEqual(b.health.snapshot('never-called'), {
      circuit: 'closed',
      consecutive_failures: 0,
      window: { requests: 0, failures: 0, error_rate: 0 },
      opened_at: null,
      opened_count: 0,
      latency_ewma_ms: {},
      throughput_per_s: 0,
    });
  });

  it('keeps its last known state when Redis is gone, and record() does not throw', async () => {
    const doomed = await PrivateRedis.start();
    const doomedConfig = loadConfig({ SWITCHYARD_CONFIG: await writeConfig(HEALTH_YAML), REDIS_URL: doomed.url });
    const cutOff = await startProcess(doomedConfig);
    try {
      await cutOff.health.record(outcome('outage', false));
      assert.equal(cutOff.health.circuit('outage'), 'open');
      await doomed.stop();
      await cutOff.health.record(outcome('outage', true));
      await assert.rejects(cutOff.health.refresh());
      assert.equal(cutOff.health.circuit('outage'), 'open');
      assert.equal(await cutOff.health.tryProbe('outage'), false);
      await sleep(1200);
      assert.equal(cutOff.health.circuit('outage'), 'open', 'the periodic refresh failed quietly');
    } finally {
      cutOff.health.onModuleDestroy();
      // QUIT would wait for the Redis that is gone.
      cutOff.connections.commands.disconnect();
      cutOff.connections.subscriber.disconnect();
      await doomed.stop();
    }
  });
});
