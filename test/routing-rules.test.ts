import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_FAIL_FAST, type ModelConfig, type ProviderConfig } from '@switchyard/config';
import { queuePriority } from '@switchyard/jobs';
import { ProviderError, type ModelInfo, type ProviderErrorKind } from '@switchyard/providers';
import { WeightedRotation, orderTargets, type RouteTarget, type RoutingSignals } from '@switchyard/routing';
import { nextStep, type StepRules } from '@switchyard/worker';
import { PROVIDER_DEFAULTS } from './support';

const TARGETS: RouteTarget[] = [
  { provider: 'a', model: 'small', weight: 1, via: 'm' },
  { provider: 'b', model: 'large', weight: 1, via: 'm' },
  { provider: 'c', model: 'small-too', weight: 1, via: 'm' },
];

function rules(model: Partial<ModelConfig> = {}): StepRules {
  const windows: Record<string, number> = { small: 1000, large: 100_000, 'small-too': 1000 };
  return {
    provider: (name) => ({ ...PROVIDER_DEFAULTS, name, type: 'mock', timeoutMs: 1000, concurrency: 1, options: {}, retries: 2, retryBackoffMs: 100, retryBackoffMaxMs: 1000 }) as ProviderConfig,
    model: () => ({ name: 'm', ownedBy: 'x', targets: TARGETS, strategy: 'fallback', aliases: [], failFast: new Set(DEFAULT_FAIL_FAST), onRateLimit: 'wait', cache: {}, ...model }),
    lookup: (id) => ({ id, capabilities: ['chat'], contextWindow: windows[id] }) as ModelInfo,
    random: () => 0.5,
  };
}

const failure = (kind: ProviderErrorKind, retryAfterMs?: number) => new ProviderError(kind, kind, { retryAfterMs });

describe('what a failed call leads to', () => {
  it('retries retryable errors on the same target with a growing backoff, then falls back', () => {
    const first = nextStep({ error: failure('server_error'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules());
    const second = nextStep({ error: failure('timeout'), targets: TARGETS, targetIndex: 0, tries: 1 }, rules());
    assert.equal(first.kind, 'retry');
    assert.equal(second.kind, 'retry');
    assert.ok(first.kind === 'retry' && second.kind === 'retry' && second.delayMs > first.delayMs);
    assert.deepEqual(nextStep({ error: failure('overloaded'), targets: TARGETS, targetIndex: 0, tries: 2 }, rules()), { kind: 'fallback', targetIndex: 1 });
    assert.deepEqual(nextStep({ error: failure('network'), targets: TARGETS, targetIndex: 2, tries: 2 }, rules()), { kind: 'fail' });
  });

  it('falls back at once on errors worth another provider but not a retry', () => {
    assert.deepEqual(nextStep({ error: failure('authentication'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules()), { kind: 'fallback', targetIndex: 1 });
  });

  it('fails at once on what no provider can fix, as the model configures', () => {
    assert.deepEqual(nextStep({ error: failure('invalid_request'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules()), { kind: 'fail' });
    assert.deepEqual(nextStep({ error: failure('content_filter'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules()), { kind: 'fail' });
    const lenient = rules({ failFast: new Set() });
    assert.deepEqual(nextStep({ error: failure('authentication'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules({ failFast: new Set(['authentication']) })), { kind: 'fail' });
    assert.deepEqual(nextStep({ error: failure('invalid_request'), targets: TARGETS, targetIndex: 0, tries: 0 }, lenient), { kind: 'fail' }, 'invalid_request is never worth a fallback');
  });

  it('sends a context-length error only to a target with a larger window', () => {
    assert.deepEqual(nextStep({ error: failure('context_length_exceeded'), targets: TARGETS, targetIndex: 0, tries: 0 }, rules()), { kind: 'fallback', targetIndex: 1 });
    assert.deepEqual(nextStep({ error: failure('context_length_exceeded'), targets: TARGETS, targetIndex: 1, tries: 0 }, rules()), { kind: 'fail' });
  });

  it('waits out a 429 for its retry-after, or moves on when the model says fallback', () => {
    assert.deepEqual(nextStep({ error: failure('rate_limited', 2000), targets: TARGETS, targetIndex: 0, tries: 5 }, rules()), { kind: 'wait', delayMs: 2000 });
    assert.deepEqual(nextStep({ error: failure('rate_limited', 2000), targets: TARGETS, targetIndex: 0, tries: 0 }, rules({ onRateLimit: 'fallback' })), { kind: 'fallback', targetIndex: 1 });
    assert.deepEqual(nextStep({ error: failure('rate_limited'), targets: TARGETS, targetIndex: 2, tries: 20 }, rules()), { kind: 'fail' });
  });
});

describe('target order', () => {
  const signals = (overrides: Partial<RoutingSignals>): RoutingSignals => ({
    latencyMs: () => undefined,
    expectedWaitS: () => 0,
    costUsd: () => undefined,
    weightedPick: () => 0,
    ...overrides,
  });
  const names = (targets: RouteTarget[]) => targets.map((t) => t.provider).join('');

  it('orders by each strategy, keeping configuration order among equals', () => {
    assert.equal(names(orderTargets('fallback', TARGETS, signals({}))), 'abc');
    assert.equal(names(orderTargets('least-latency', TARGETS, signals({ latencyMs: (t) => ({ a: 300, b: 100, c: 200 })[t.provider] }))), 'bca');
    assert.equal(names(orderTargets('least-latency', TARGETS, signals({ latencyMs: (t) => (t.provider === 'c' ? undefined : 50) }))), 'cab', 'unmeasured first');
    assert.equal(names(orderTargets('least-queue', TARGETS, signals({ expectedWaitS: (t) => ({ a: 30, b: 0, c: 0 })[t.provider] ?? 0 }))), 'bca');
    assert.equal(names(orderTargets('cheapest', TARGETS, signals({ costUsd: (t) => ({ a: 2, b: undefined, c: 1 })[t.provider] }))), 'cab');
    assert.equal(names(orderTargets('weighted', TARGETS, signals({ weightedPick: () => 2 }))), 'cab');
  });

  it('weighted rotation keeps every prefix within one pick of the weights', () => {
    const rotation = new WeightedRotation();
    const weighted = [{ ...TARGETS[0], weight: 3 }, { ...TARGETS[1], weight: 1 }];
    const picks = Array.from({ length: 400 }, () => rotation.next('m', weighted));
    for (let n = 1; n <= picks.length; n++) {
      const heavy = picks.slice(0, n).filter((i) => i === 0).length;
      assert.ok(Math.abs(heavy - (n * 3) / 4) <= 1, `after ${n}: ${heavy}`);
    }
  });
});

describe('queue priority', () => {
  it('puts every more urgent job ahead, and orders fair-queuing tags within one urgency', () => {
    assert.ok(queuePriority(1, 1e9) < queuePriority(2, 0));
    assert.ok(queuePriority(5, 0) < queuePriority(5, 1000));
    assert.ok(queuePriority(10, 1e12) <= 2 ** 21, 'within BullMQ’s range');
    assert.ok(queuePriority(1, 0) >= 1);
  });
});
