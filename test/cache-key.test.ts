import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cacheKey, GLOBAL_SCOPE } from '@switchyard/cache';
import type { JobRequest } from '@switchyard/contracts';

const TARGET = { provider: 'openai', model: 'gpt-4o-mini' };

function chat(overrides: Partial<Extract<JobRequest, { type: 'chat' }>> = {}): JobRequest {
  return {
    type: 'chat',
    model: 'fast',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Hello' },
    ],
    temperature: 0,
    max_tokens: 50,
    ...overrides,
  };
}

describe('cacheKey', () => {
  it('is the same for the same request with its keys in another order, at every depth', () => {
    const reordered = {
      max_tokens: 50,
      temperature: 0,
      messages: [
        { content: 'Be brief.', role: 'system' },
        { content: 'Hello', role: 'user' },
      ],
      model: 'fast',
      type: 'chat',
    } as JobRequest;
    assert.equal(cacheKey(chat(), TARGET, 'team-a'), cacheKey(reordered, TARGET, 'team-a'));
  });

  it('has the form <scope>:<sha256 hex>', () => {
    assert.match(cacheKey(chat(), TARGET, 'team-a'), /^team-a:[0-9a-f]{64}$/);
    assert.match(cacheKey(chat(), TARGET, GLOBAL_SCOPE), /^\*:[0-9a-f]{64}$/);
  });

  it('changes with the temperature, the messages, any sampling, format or tool parameter', () => {
    const base = cacheKey(chat(), TARGET, 'team-a');
    const variants: JobRequest[] = [
      chat({ temperature: 0.2 }),
      chat({ messages: [{ role: 'user', content: 'Hello' }] }),
      chat({ messages: [{ role: 'user', content: 'Hello' }, { role: 'system', content: 'Be brief.' }] }),
      chat({ seed: 1 }),
      chat({ max_tokens: 51 }),
      chat({ stop: ['\n'] }),
      chat({ response_format: { type: 'json_object' } }),
      chat({ tools: [{ type: 'function', function: { name: 'lookup' } }] }),
      chat({ tool_choice: 'required' }),
    ];
    const keys = new Set(variants.map((variant) => cacheKey(variant, TARGET, 'team-a')));
    assert.equal(keys.size, variants.length);
    assert.ok(!keys.has(base));
  });

  it('changes with the upstream target and the scope', () => {
    const base = cacheKey(chat(), TARGET, 'team-a');
    assert.notEqual(cacheKey(chat(), { ...TARGET, provider: 'azure' }, 'team-a'), base);
    assert.notEqual(cacheKey(chat(), { ...TARGET, model: 'gpt-4o' }, 'team-a'), base);
    assert.notEqual(cacheKey(chat(), TARGET, 'team-b'), base);
    assert.notEqual(cacheKey(chat(), TARGET, GLOBAL_SCOPE), base);
  });

  it('ignores user, metadata, stream, routing fields and the public model name', () => {
    const base = cacheKey(chat(), TARGET, 'team-a');
    const decorated = { ...chat({ user: 'alice', model: 'fast-alias' }), metadata: { run: '7' }, stream: false, models: ['b'], route: { strategy: 'cheapest' }, priority: 1 };
    assert.equal(cacheKey(decorated as JobRequest, TARGET, 'team-a'), base);
  });

  it('treats a null parameter like an absent one', () => {
    const withNull = { ...chat(), seed: null } as unknown as JobRequest;
    assert.equal(cacheKey(withNull, TARGET, 'team-a'), cacheKey(chat(), TARGET, 'team-a'));
  });

  it('keys an embedding apart from a chat and by its input', () => {
    const embedding = (input: string | string[]): JobRequest => ({ type: 'embedding', model: 'embed', input });
    const target = { provider: 'openai', model: 'text-embedding-3-small' };
    assert.equal(cacheKey(embedding('a'), target, 'k'), cacheKey(embedding('a'), target, 'k'));
    assert.notEqual(cacheKey(embedding('a'), target, 'k'), cacheKey(embedding('b'), target, 'k'));
    assert.notEqual(cacheKey(embedding('a'), target, 'k'), cacheKey(embedding(['a']), target, 'k'));
  });
});
