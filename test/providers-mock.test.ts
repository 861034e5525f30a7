import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROVIDER_TYPES, type ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { MockAdapter, MockDirectiveError, PROVIDER_FAMILIES, ProviderError, collectStream, parseMockDirective } from '@switchyard/providers';

function mockAdapter(options: Record<string, unknown> = {}): MockAdapter {
  const config: ProviderConfig = { ...PROVIDER_DEFAULTS, name: 'mock', type: 'mock', timeoutMs: 10_000, concurrency: 1, options };
  return new MockAdapter(config);
}

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-name', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: text }], ...extra };
}

function ctx(model: string, signal: AbortSignal = new AbortController().signal) {
  return { model, signal, jobId: 'job-mock', warn: () => undefined };
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

describe('MockAdapter', () => {
  const adapter = mockAdapter();

  it('echoes the last user message without its directive', async () => {
    const completion = await adapter.generate(chat('say this back #mock{"latency_ms": 1}'), ctx('echo'));
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'echo');
    assert.deepEqual(completion.choices[0], {
      index: 0,
      message: { role: 'assistant', content: 'say this back', refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    });
    // ceil(("be brief" + the user text).length / 4) prompt tokens, one completion token per word.
    const promptChars = 'be brief'.length + 'say this back #mock{"latency_ms": 1}'.length;
    assert.deepEqual(completion.usage, { prompt_tokens: Math.ceil(promptChars / 4), completion_tokens: 3, total_tokens: Math.ceil(promptChars / 4) + 3 });
  });

  it('reads text parts of a multi-part user message', async () => {
    const request: ChatRequest = {
      model: 'x',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'first' }, { type: 'image_url', image_url: { url: 'data:,' } }, { type: 'text', text: 'second' }] }],
    };
    const completion = await adapter.generate(request, ctx('echo'));
    assert.equal(completion.choices[0].message.content, 'first\nsecond');
  });

  it('writes 16 deterministic lorem words by default', async () => {
    const first = await adapter.generate(chat('anything'), ctx('lorem'));
    const second = await adapter.generate(chat('something else'), ctx('lorem'));
    const words = first.choices[0].message.content?.split(' ') ?? [];
    assert.equal(words.length, 16);
    assert.equal(words[0], 'lorem');
    assert.equal(first.choices[0].message.content, second.choices[0].message.content);
    assert.equal(first.usage.completion_tokens, 16);
  });

  it('writes as many lorem words as the directive asks', async () => {
    const completion = await adapter.generate(chat('#mock{"tokens": 40}'), ctx('lorem'));
    assert.equal(completion.choices[0].message.content?.split(' ').length, 40);
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });

  it('cuts the reply at max_tokens with finish_reason length', async () => {
    const completion = await adapter.generate(chat('#mock{"tokens": 40}', { max_tokens: 5 }), ctx('lorem'));
    assert.equal(completion.choices[0].message.content, 'lorem ipsum dolor sit amet');
    assert.equal(completion.choices[0].finish_reason, 'length');
    assert.equal(completion.usage.completion_tokens, 5);
  });

  it('prefers max_completion_tokens over max_tokens', async () => {
    const completion = await adapter.generate(chat('#mock{"tokens": 10}', { max_tokens: 2, max_completion_tokens: 3 }), ctx('lorem'));
    assert.equal(completion.usage.completion_tokens, 3);
  });

  it('answers with the directive text when given', async () => {
    const completion = await adapter.generate(chat('#mock{"text": "fixed {reply}"}'), ctx('lorem'));
    assert.equal(completion.choices[0].message.content, 'fixed {reply}');
  });

  it('fails with the error class of the directive status', async () => {
    const expected: Array<[number, string, boolean]> = [
      [400, 'invalid_request', false],
      [401, 'authentication', false],
      [500, 'server_error', true],
      [503, 'overloaded', true],
    ];
    for (const [status, kind, retryable] of expected) {
      const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}}`), ctx('echo')));
      assert.equal(error.kind, kind, `status ${status}`);
      assert.equal(error.status, status);
      assert.equal(error.retryable, retryable);
    }
  });

  it('fails a 429 as rate_limited with its retry-after', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 1.5}'), ctx('echo')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 1500);
  });

  it('rejects a malformed directive as invalid_request', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"latncy_ms": 5}'), ctx('echo')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /latncy_ms/);
  });

  it('waits the directive latency', async () => {
    const started = Date.now();
    await adapter.generate(chat('#mock{"latency_ms": 120}'), ctx('echo'));
    assert.ok(Date.now() - started >= 110);
  });

  it('waits options.delay_ms by default', async () => {
    const slow = mockAdapter({ delay_ms: 120 });
    const started = Date.now();
    await slow.generate(chat('hi'), ctx('echo'));
    assert.ok(Date.now() - started >= 110);
  });

  it('refuses a delay_ms that is not a number', () => {
    assert.throws(() => mockAdapter({ delay_ms: 'soon' }), /delay_ms/);
  });

  it('stops waiting as soon as the call is aborted', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const call = adapter.generate(chat('#mock{"latency_ms": 10000}'), ctx('echo', controller.signal));
    setTimeout(() => controller.abort(), 50);
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    assert.ok(Date.now() - started < 2000);
  });

  it('hangs until aborted', async () => {
    const controller = new AbortController();
    const call = adapter.generate(chat('#mock{"hang": true}'), ctx('echo', controller.signal));
    const raced = await Promise.race([call.then(() => 'answered', () => 'failed'), new Promise((resolve) => setTimeout(resolve, 100, 'pending'))]);
    assert.equal(raced, 'pending');
    controller.abort();
    assert.equal((await providerError(call)).kind, 'canceled');
  });
});

describe('MockAdapter streaming', () => {
  const adapter = mockAdapter();

  it('streams the answer generate() gives, a word per chunk, then the finish and the usage', async () => {
    const request = chat('#mock{"tokens": 5}', { n: 2, max_tokens: 4 });
    const chunks = await drain(adapter.stream(request, ctx('lorem')));
    const generated = await adapter.generate(request, ctx('lorem'));
    assert.deepEqual(chunks[0].choices, [{ index: 0, delta: { role: 'assistant', content: 'lorem' }, finish_reason: null, logprobs: null }]);
    assert.deepEqual(chunks.slice(0, 4).map((chunk) => chunk.choices[0].delta.content), ['lorem', ' ipsum', ' dolor', ' sit']);
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.deepEqual(chunks.at(-1)?.choices, []);
  });

  it('fails before any chunk as generate() fails, for a directive status', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 429, "retry_after_s": 1}'), ctx('echo')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 1000);
  });

  it('fails mid-stream after stream_fail_after chunks, and before any with 0, as server_error', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_fail_after": 2}'), ctx('echo')), seen));
    assert.equal(error.kind, 'server_error');
    assert.equal(error.fallback, true);
    assert.equal(collectStream(seen).choices[0].message.content, 'one two');
    const early: ChatCompletionChunk[] = [];
    assert.equal((await providerError(drain(adapter.stream(chat('one two #mock{"stream_fail_after": 0}'), ctx('echo')), early))).kind, 'server_error');
    assert.deepEqual(early, []);
  });

  it('fails a fault set past the end of the answer after its last word, before the finish', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two #mock{"stream_truncate_after": 50}'), ctx('echo')), seen));
    assert.equal(error.kind, 'bad_response');
    assert.equal(seen.length, 2);
    assert.ok(seen.every((chunk) => chunk.choices[0].finish_reason === null));
  });

  it('stalls after stream_stall_after chunks until aborted', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(chat('one two #mock{"stream_stall_after": 1}'), ctx('echo', controller.signal))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    const raced = await Promise.race([next.then(() => 'moved', () => 'failed'), new Promise((resolve) => setTimeout(resolve, 50, 'pending'))]);
    assert.equal(raced, 'pending');
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
  });
});

describe('parseMockDirective', () => {
  it('finds the end of the directive past braces inside strings', () => {
    const parsed = parseMockDirective('before #mock{"text": "a } b { c"} after');
    assert.deepEqual(parsed, { directive: { text: 'a } b { c' }, text: 'before  after' });
  });

  it('returns an empty directive when there is none', () => {
    assert.deepEqual(parseMockDirective(' plain '), { directive: {}, text: 'plain' });
  });

  it('throws MockDirectiveError on an unclosed directive', () => {
    assert.throws(() => parseMockDirective('#mock{"tokens": 3'), MockDirectiveError);
  });
});

describe('PROVIDER_FAMILIES', () => {
  it('has an adapter for exactly the provider types the config accepts', () => {
    assert.deepEqual(Object.keys(PROVIDER_FAMILIES).sort(), [...PROVIDER_TYPES].sort());
  });
});
