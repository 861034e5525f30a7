import 'reflect-metadata';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '@switchyard/config';
import { repoRoot, writeConfig } from './support';

async function load(yamlText: string) {
  return loadConfig({ SWITCHYARD_CONFIG: await writeConfig(yamlText) });
}

async function problems(yamlText: string): Promise<string> {
  try {
    await load(yamlText);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
    return error.message;
  }
  assert.fail('the config was accepted');
}

const PROVIDERS = `
providers:
  a: { type: mock }
  b: { type: mock }
`;

describe('routing and limits configuration', () => {
  it('names where a YAML syntax error is without quoting the text, which may be a credential', async () => {
    const secret = 'sk-yaml-error-0123456789abcdef';
    // A stray bracket: the parser then reports the next token, the key, by quoting it.
    const message = await problems(`auth:\n  keys: [ { name: a, key: x } ]\n] ${secret}\n`);
    assert.match(message, /YAML syntax error at line 3/);
    assert.ok(!message.includes(secret), message);
  });

  it('parses the documented example, every key of it', () => {
    const config = loadConfig({ SWITCHYARD_CONFIG: join(repoRoot, 'config/switchyard.example.yaml'), SWITCHYARD_KEY_TEAM_A: 'k'.repeat(20), OPENAI_API_KEY: 'sk-x', SWITCHYARD_WEBHOOK_SECRET_TEAM_A: `whsec_${Buffer.alloc(32, 7).toString('base64')}` });
    const openai = config.providers.get('openai');
    assert.equal(openai?.limits.rpm, 5000);
    assert.equal(openai?.limits.interactiveReserve, 0.2);
    assert.deepEqual(openai?.limits.models.get('gpt-4o'), { rpm: 500, tpm: 300000 });
    assert.equal(openai?.circuitBreaker.failureThreshold, 5);
    const model = config.models.get('gpt-4o-mini');
    assert.equal(model?.strategy, 'fallback');
    assert.deepEqual(model?.aliases, ['gpt-mini']);
    assert.deepEqual(config.auth.keys[0].limits, { rpm: 600, maxWaiting: 100000, tokensPerDay: 50000000 });
  });

  it('fills defaults', async () => {
    const config = await load(`${PROVIDERS}
models:
  m: { targets: [{ provider: a, model: x }] }
`);
    const provider = config.providers.get('a');
    assert.equal(provider?.retries, 2);
    assert.deepEqual(provider?.circuitBreaker, { failureThreshold: 5, errorRate: 0.5, minRequests: 20, windowS: 60, cooldownS: 30 });
    const model = config.models.get('m');
    assert.equal(model?.strategy, 'fallback');
    assert.equal(model?.onRateLimit, 'wait');
    assert.deepEqual([...(model?.failFast ?? [])], ['invalid_request', 'content_filter']);
    assert.equal(model?.targets[0].weight, 1);
    assert.ok(!JSON.stringify(config).includes('undefined'));
  });

  it('names every bad routing key by its path', async () => {
    const message = await problems(`${PROVIDERS}
  c:
    type: mock
    retries: -1
    limits: { rpm: 0, interactive_reserve: 0.95, models: { x: { tpm: many } } }
    circuit_breaker: { error_rate: 1.5 }
models:
  m:
    strategy: fastest
    fail_fast: [teapot]
    on_rate_limit: panic
    targets: [{ provider: a, model: x, weight: 0 }]
  n: { targets: [{ provider: b, model: y }] }
`);
    for (const expected of [
      'providers.c.retries',
      'providers.c.limits.rpm',
      'providers.c.limits.interactive_reserve',
      'providers.c.limits.models.x.tpm',
      'providers.c.circuit_breaker.error_rate',
      'models.m.strategy',
      'models.m.fail_fast[0]',
      'models.m.on_rate_limit',
      'models.m.targets[0].weight',
    ]) {
      assert.ok(message.includes(expected), `missing ${expected} in:\n${message}`);
    }
  });

  it('refuses an alias that already names a model or another alias', async () => {
    const message = await problems(`${PROVIDERS}
models:
  m: { aliases: [n, short], targets: [{ provider: a, model: x }] }
  n: { aliases: [short], targets: [{ provider: b, model: y }] }
`);
    assert.match(message, /models\.m\.aliases\[0\]: "n" already names model "n"/);
    assert.match(message, /models\.n\.aliases\[0\]: "short" already names model "m"/);
  });
});
