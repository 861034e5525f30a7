import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { MockAdapter, OpenAIAdapter, ProviderError, collectStream, type ProviderAdapter } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import { freePort } from './support/free-port';
import { wireFor } from './support/mock-wire';
import { waitFor } from './support/wait';

const KEY = 'sk-wire-test-0123456789abcdef';

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-model-name', messages: [{ role: 'user', content: text }], ...extra };
}

function providerConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'openai-primary', type: 'openai', baseUrl, apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
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

function ctx(jobId: string, signal: AbortSignal = new AbortController().signal, model = 'echo') {
  return { model, signal, jobId, warn: () => undefined };
}

describe('OpenAIAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: OpenAIAdapter;
  const extraAdapters: ProviderAdapter[] = [];

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const list = await control<{ data: RequestRecord[] }>(`/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return list.data;
  }

  function extraAdapter(overrides: Partial<ProviderConfig>): OpenAIAdapter {
    const created = new OpenAIAdapter(providerConfig(`${baseUrl}/v1`, overrides));
    extraAdapters.push(created);
    return created;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new OpenAIAdapter(providerConfig(`${baseUrl}/v1`));
  });

  after(async () => {
    await Promise.all([adapter, ...extraAdapters].map((a) => a.close()));
    await server.close();
  });

  it('normalizes a successful completion and sends the routed model, the bearer key and the job id', async () => {
    const completion = await adapter.generate(chat('hello wire #mock{"latency_ms": 5}'), ctx('job-success'));
    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(typeof completion.created, 'number');
    assert.equal(completion.model, 'echo');
    assert.deepEqual(completion.choices, [
      { index: 0, message: { role: 'assistant', content: 'hello wire', refusal: null }, finish_reason: 'stop', logprobs: null },
    ]);
    assert.equal(completion.usage.completion_tokens, 2);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + 2);

    const [record] = await recordsFor('job-success');
    // The mock only answers 200 to `Bearer <KEY>`, so the status proves the key arrived intact.
    assert.equal(record.status, 200);
    assert.equal(record.model, 'echo');
    assert.equal(record.has_authorization, true);
    assert.equal(record.aborted, false);
  });

  it('answers exactly like the in-process MockAdapter', async () => {
    const mock = new MockAdapter({ ...PROVIDER_DEFAULTS, name: 'mock', type: 'mock', timeoutMs: 1000, concurrency: 1, options: {} });
    const request = chat('write #mock{"tokens": 7}', { max_tokens: 5 });
    const overHttp = await adapter.generate(request, ctx('job-same', undefined, 'lorem'));
    const inProcess = await mock.generate(request, ctx('job-same', undefined, 'lorem'));
    assert.deepEqual(overHttp.choices, inProcess.choices);
    assert.deepEqual(overHttp.usage, inProcess.usage);
    assert.equal(overHttp.choices[0].finish_reason, 'length');
  });

  it('classifies a 429 as rate_limited and reads its retry-after', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.retryable, true);
    assert.match(error.message, /^openai-primary answered 429: /);
  });

  it('classifies a 503 as overloaded, worth a fallback', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 503}'), ctx('job-503')));
    assert.equal(error.kind, 'overloaded');
    assert.equal(error.fallback, true);
  });

  it('classifies a 400 with code context_length_exceeded as context_length, not retryable', async () => {
    const error = await providerError(
      adapter.generate(chat('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('job-ctx')),
    );
    assert.equal(error.kind, 'context_length_exceeded');
    assert.equal(error.retryable, false);
    assert.equal(error.fallback, false);
  });

  it('classifies the other statuses by the table', async () => {
    const expected: Array<[number, string]> = [
      [400, 'invalid_request'],
      [401, 'authentication'],
      [404, 'not_found'],
      [422, 'invalid_request'],
      [500, 'server_error'],
      [502, 'server_error'],
    ];
    for (const [status, kind] of expected) {
      const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}}`), ctx(`job-${status}`)));
      assert.equal(error.kind, kind, `status ${status}`);
    }
  });

  it('gives up after timeoutMs with kind timeout', async () => {
    const slow = extraAdapter({ timeoutMs: 200 });
    const started = Date.now();
    const error = await providerError(slow.generate(chat('#mock{"latency_ms": 5000}'), ctx('job-timeout')));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.retryable, true);
    assert.ok(Date.now() - started < 2000, 'the timeout fired late');
  });

  it('cancels a hanging call on abort, and the upstream sees the connection close', async () => {
    const controller = new AbortController();
    const call = adapter.generate(chat('#mock{"hang": true}'), ctx('job-abort', controller.signal));
    await waitFor(async () => (await recordsFor('job-abort')).length === 1, { message: 'the mock to receive the call' });
    controller.abort();
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await recordsFor('job-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
    const stats = await control<{ aborted: number; by_request_id: Record<string, number> }>('/_control/stats');
    assert.equal(stats.by_request_id['job-abort'], 1);
    assert.ok(stats.aborted >= 1);
  });

  it('reports a refused connection as network', async () => {
    const port = await freePort();
    const refused = new OpenAIAdapter(providerConfig(`http://127.0.0.1:${port}/v1`));
    try {
      const error = await providerError(refused.generate(chat('hi'), ctx('job-refused')));
      assert.equal(error.kind, 'network');
      assert.equal(error.retryable, true);
    } finally {
      await refused.close();
    }
  });

  it('never lets a key the provider echoes back into the error', async () => {
    for (const key of ['plain-secret-without-any-prefix', 'sk-proj-ABCDEFGHIJKLMNOP0123456789']) {
      const wrongKey = extraAdapter({ apiKey: key });
      const error = await providerError(wrongKey.generate(chat('hi'), ctx(`job-key-${key.length}`)));
      assert.equal(error.kind, 'authentication');
      const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
      assert.ok(!seen.includes(key), `the key leaked: ${seen}`);
      assert.ok(error.body?.includes('Incorrect API key provided'), 'the provider body is kept, scrubbed');
    }
  });

  it('streams SSE chunks that end with [DONE] and carry usage when asked', async () => {
    const response = await request(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      body: JSON.stringify({ model: 'echo', messages: [{ role: 'user', content: 'one two three' }], stream: true, stream_options: { include_usage: true } }),
    });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/event-stream/);
    const events = (await response.body.text()).split('\n\n').filter(Boolean);
    assert.equal(events.at(-1), 'data: [DONE]');
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.replace(/^data: /, '')) as ChunkShape);
    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk'));
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'one two three');
    assert.equal(chunks.at(-2)?.choices[0].finish_reason, 'stop');
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, 3);
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
  });
});

interface ChunkShape {
  object: string;
  choices: Array<{ delta: { content?: string }; finish_reason: string | null }>;
  usage?: { completion_tokens: number } | null;
}

describe('OpenAIAdapter against a misbehaving upstream', () => {
  let upstream: Server;
  let adapter: OpenAIAdapter;

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>a proxy login page</html>');
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new OpenAIAdapter(providerConfig(`http://127.0.0.1:${port}/v1`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('reports a 2xx that is not a chat completion as bad_response', async () => {
    const error = await providerError(adapter.generate(chat('hi'), ctx('job-html')));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.status, 200);
  });
});

/** The error a stream ends with; the chunks it yielded first land in `seen`. */
async function streamError(stream: AsyncIterable<ChatCompletionChunk>, seen: ChatCompletionChunk[] = []): Promise<ProviderError> {
  return providerError(drain(stream, seen));
}

describe('OpenAIAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: OpenAIAdapter;

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new OpenAIAdapter(providerConfig(`${baseUrl}/v1`));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('streams text as chunks that add up to what generate() answers, asking for usage and ending with it', async () => {
    const chunks = await drain(adapter.stream(chat('stream these five words please'), ctx('job-stream-text')));
    const sent = await wireFor(baseUrl, 'job-stream-text');
    assert.equal(sent.path, '/v1/chat/completions');
    assert.equal(sent.headers.accept, 'text/event-stream');
    assert.deepEqual(sent.body, { model: 'echo', messages: [{ role: 'user', content: 'stream these five words please' }], stream: true, stream_options: { include_usage: true } });

    assert.ok(chunks.every((chunk) => chunk.object === 'chat.completion.chunk' && chunk.model === 'echo'));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'stream' }, 'the role rides on the first token, never alone');
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.role !== undefined).length, 1);
    assert.equal(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join(''), 'stream these five words please');
    assert.deepEqual(chunks.at(-2)?.choices, [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }]);
    assert.deepEqual(chunks.at(-1)?.choices, []);
    assert.deepEqual(chunks.at(-1)?.usage, { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 });

    const generated = await adapter.generate(chat('stream these five words please'), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.equal(collected.id, chunks[0].id);
  });

  it('streams a forced tool call: id and name first, then argument fragments under one index', async () => {
    const args = '{"location": "Boston, MA", "unit": "fahrenheit"}';
    const tool = { type: 'function' as const, function: { name: 'get_current_weather', parameters: { type: 'object' } } };
    const chunks = await drain(adapter.stream(chat(`weather? #mock${JSON.stringify({ text: args })}`, { tools: [tool], tool_choice: 'required' }), ctx('job-stream-tool')));
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.ok(pieces.length > 2, 'the arguments arrive in several fragments');
    assert.ok(pieces.every((piece) => piece.index === 0));
    assert.match(pieces[0].id ?? '', /^call_/);
    assert.equal(pieces[0].type, 'function');
    assert.equal(pieces[0].function?.name, 'get_current_weather');
    assert.ok(pieces.slice(1).every((piece) => piece.id === undefined && piece.function?.name === undefined));
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const collected = collectStream(chunks);
    assert.equal(collected.choices[0].finish_reason, 'tool_calls');
    assert.equal(collected.choices[0].message.content, null);
    assert.deepEqual(collected.choices[0].message.tool_calls, [{ id: pieces[0].id, type: 'function', function: { name: 'get_current_weather', arguments: args } }]);
  });

  it('fails before the first chunk with the error generate() would give for the same HTTP answer', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await streamError(adapter.stream(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-stream-429')), seen);
    assert.equal(seen.length, 0);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 2000);
    const overloaded = await streamError(adapter.stream(chat('#mock{"status": 503}'), ctx('job-stream-503')));
    assert.equal(overloaded.kind, 'overloaded');
  });

  it('reads an error event mid-stream as a server_error after the chunks already sent', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await streamError(adapter.stream(chat('one two three four five #mock{"stream_fail_after": 2}'), ctx('job-stream-fail')), seen);
    assert.equal(error.kind, 'server_error');
    assert.match(error.message, /^openai-primary failed mid-stream: The server had an error/);
    assert.equal(seen.map((chunk) => chunk.choices[0].delta.content).join(''), 'one two');
  });

  it('yields nothing before an error event that comes before the first token, so a caller may still fall back', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await streamError(adapter.stream(chat('one two #mock{"stream_fail_after": 0}'), ctx('job-stream-fail-0')), seen);
    assert.equal(error.kind, 'server_error');
    assert.equal(error.fallback, true);
    assert.deepEqual(seen, []);
  });

  it('reads a stream that ends before [DONE] and before any finish as bad_response', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await streamError(adapter.stream(chat('one two three #mock{"stream_truncate_after": 1}'), ctx('job-stream-cut')), seen);
    assert.equal(error.kind, 'bad_response');
    assert.match(error.message, /ended the stream before its final event/);
    assert.equal(seen.length, 1);
  });

  it('stops reading on abort and closes the connection, which the upstream sees', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(chat('one two three #mock{"stream_stall_after": 1}'), ctx('job-stream-abort', controller.signal))[Symbol.asyncIterator]();
    const first = await iterator.next();
    assert.equal(first.value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    controller.abort();
    const error = await providerError(next);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await recordsFor('job-stream-abort'))[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });

  it('closes the connection when the caller stops reading early', async () => {
    for await (const chunk of adapter.stream(chat('one two three #mock{"stream_stall_after": 2}'), ctx('job-stream-leave'))) {
      assert.equal(chunk.choices[0].delta.content, 'one');
      break;
    }
    await waitFor(async () => (await recordsFor('job-stream-leave'))[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });

  it('applies a stream fault set over PUT /_control/behaviour to every stream, a directive overriding it, until null clears it', async () => {
    const behaviour = (patch: object) =>
      request(`${baseUrl}/_control/behaviour`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(patch) }).then((response) => response.body.json());
    assert.equal(((await behaviour({ stream_fail_after: 1 })) as { stream_fail_after?: number }).stream_fail_after, 1);
    try {
      const seen: ChatCompletionChunk[] = [];
      assert.equal((await streamError(adapter.stream(chat('one two three'), ctx('job-stream-knob')), seen)).kind, 'server_error');
      assert.equal(seen.length, 1);
      const overridden: ChatCompletionChunk[] = [];
      await streamError(adapter.stream(chat('one two three #mock{"stream_fail_after": 2}'), ctx('job-stream-knob-directive')), overridden);
      assert.equal(overridden.length, 2);
      const plain = await adapter.generate(chat('one two three'), ctx('job-stream-knob-plain'));
      assert.equal(plain.choices[0].message.content, 'one two three', 'stream faults leave plain answers alone');
    } finally {
      const cleared = (await behaviour({ stream_fail_after: null })) as Record<string, unknown>;
      assert.equal('stream_fail_after' in cleared, false);
    }
    assert.equal(collectStream(await drain(adapter.stream(chat('one two three'), ctx('job-stream-knob-cleared')))).choices[0].message.content, 'one two three');
  });

  it('treats its timeout as the longest silence between chunks, not as a limit on the whole stream', async () => {
    const quick = new OpenAIAdapter(providerConfig(`${baseUrl}/v1`, { timeoutMs: 250 }));
    try {
      // Six chunks 80 ms apart: the stream outlasts the timeout, no silence reaches it.
      const chunks = await drain(quick.stream(chat('#mock{"tokens": 6, "stream_interval_ms": 80}'), ctx('job-stream-slow', undefined, 'lorem')));
      assert.equal(collectStream(chunks).choices[0].message.content, 'lorem ipsum dolor sit amet consectetur');
      const seen: ChatCompletionChunk[] = [];
      const error = await streamError(quick.stream(chat('one two three #mock{"stream_stall_after": 1}'), ctx('job-stream-quiet')), seen);
      assert.equal(error.kind, 'timeout');
      assert.match(error.message, /sent nothing for 250 ms mid-stream/);
      assert.equal(seen.length, 1);
    } finally {
      await quick.close();
    }
  });
});
