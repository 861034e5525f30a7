import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { ALL_CHAT_FEATURES, AzureOpenAIAdapter, ProviderError, collectStream, createProviderAdapter, providerFamily } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { wireFor } from './support/mock-wire';
import {
  CALENDAR_EVENT_FORMAT,
  CALENDAR_EVENT_JSON,
  EMBEDDING_INPUT,
  SYSTEM_PROMPT,
  WEATHER_ARGUMENTS,
  WEATHER_TOOL,
  WORLD_SERIES_TURNS,
  imageMessage,
  toolResultTurns,
} from './support/openai-fixtures';
import { waitFor } from './support/wait';

const KEY = 'azure-wire-test-key-0123456789abcdef';
const VERSION = 'api-version=2024-10-21';

function chat(extra: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>): ChatRequest {
  return { model: 'public-model-name', ...extra };
}

function say(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return chat({ messages: [{ role: 'user', content: text }], ...extra });
}

function ctx(jobId: string, model = 'gpt-4o', signal: AbortSignal = new AbortController().signal) {
  return { model, signal, jobId, warn: () => undefined };
}

function config(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    ...PROVIDER_DEFAULTS,
    name: 'azure',
    type: 'azure-openai',
    baseUrl,
    apiKey: KEY,
    timeoutMs: 10_000,
    concurrency: 4,
    options: { deployments: { 'gpt-4o': 'gpt-4o-prod', 'text-embedding-3-small': 'embed-small' } },
    ...overrides,
  };
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

describe('azure-openai family', () => {
  it('is registered with embeddings and every chat feature of the 2024-10-21 API', () => {
    const family = providerFamily('azure-openai');
    assert.equal(family.embeddings, true);
    assert.deepEqual([...family.chatFeatures].sort(), [...ALL_CHAT_FEATURES].sort());
    const adapter = createProviderAdapter(config('https://example-resource.openai.azure.com'));
    assert.equal(adapter.type, 'azure-openai');
    return adapter.close();
  });

  it('refuses a bad configuration with the key path', () => {
    assert.throws(() => new AzureOpenAIAdapter(config('', { baseUrl: undefined })), /^Error: providers\.azure\.base_url: is required/);
    assert.throws(() => new AzureOpenAIAdapter(config('https://r.openai.azure.com', { options: { auth: 'oauth' } })), /^Error: providers\.azure\.options\.auth: /);
    assert.throws(() => new AzureOpenAIAdapter(config('https://r.openai.azure.com', { options: { deployment: {} } })), /^Error: providers\.azure\.options\.deployment: is not an option/);
    assert.throws(
      () => new AzureOpenAIAdapter(config('https://r.openai.azure.com', { options: { deployments: { 'gpt-4o': '' } } })),
      /^Error: providers\.azure\.options\.deployments\.gpt-4o: /,
    );
  });
});

describe('AzureOpenAIAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: AzureOpenAIAdapter;
  const extra: AzureOpenAIAdapter[] = [];

  function another(overrides: Partial<ProviderConfig>): AzureOpenAIAdapter {
    const created = new AzureOpenAIAdapter(config(baseUrl, overrides));
    extra.push(created);
    return created;
  }

  /** The request as Azure expects it: the deployment path, the api-version query, the api-key header. */
  async function sent(jobId: string, path = '/openai/deployments/gpt-4o-prod/chat/completions'): Promise<WireRecord> {
    const record = await wireFor(baseUrl, jobId);
    assert.equal(record.method, 'POST');
    assert.equal(record.path, path);
    assert.equal(record.query, VERSION);
    assert.equal(record.headers['api-key'], KEY);
    assert.equal(record.headers.authorization, undefined);
    assert.equal(record.headers['content-type'], 'application/json');
    return record;
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new AzureOpenAIAdapter(config(baseUrl));
  });

  after(async () => {
    await Promise.all([adapter, ...extra].map((a) => a.close()));
    await server.close();
  });

  it('plain chat: the deployment mapped from the model, no model in the body, the answer normalized', async () => {
    const completion = await adapter.generate(say('Hello!'), ctx('az-plain'));
    assert.deepEqual((await sent('az-plain')).body, { messages: [{ role: 'user', content: 'Hello!' }] });
    assert.deepEqual(completion.choices, [
      { index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null }, finish_reason: 'stop', logprobs: null },
    ]);
    assert.deepEqual(completion.usage, { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
  });

  it('a model with no deployments entry is its own deployment name', async () => {
    await adapter.generate(say('Hi'), ctx('az-unmapped', 'my-deployment'));
    await sent('az-unmapped', '/openai/deployments/my-deployment/chat/completions');
  });

  it('auth entra: the configured token goes out as a bearer token, not as api-key', async () => {
    const entra = another({ options: { auth: 'entra' } });
    await entra.generate(say('Hi'), ctx('az-entra'));
    const record = await wireFor(baseUrl, 'az-entra');
    assert.equal(record.headers.authorization, `Bearer ${KEY}`);
    assert.equal(record.headers['api-key'], undefined);
  });

  it('api_version sets the query parameter', async () => {
    const preview = another({ options: { api_version: '2025-04-01-preview' } });
    await preview.generate(say('Hi'), ctx('az-version'));
    assert.equal((await wireFor(baseUrl, 'az-version')).query, 'api-version=2025-04-01-preview');
  });

  it('system prompt and parameters go out as given; a developer message goes out as system', async () => {
    const request = chat({
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'developer', content: 'Answer briefly.' },
        { role: 'user', content: 'Say this is a test' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_tokens: 50,
      seed: 42,
      n: 2,
      user: 'user-1234',
    });
    const completion = await adapter.generate(request, ctx('az-system'));
    const { model: _model, ...expected } = request;
    assert.deepEqual((await sent('az-system')).body, {
      ...expected,
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'Say this is a test' },
      ],
    });
    assert.equal(completion.choices.length, 2);
  });

  it('multi-turn and image input go out untouched', async () => {
    await adapter.generate(chat({ messages: WORLD_SERIES_TURNS }), ctx('az-turns'));
    assert.deepEqual((await sent('az-turns')).body, { messages: WORLD_SERIES_TURNS });
    const message = imageMessage("What's in this image?");
    const completion = await adapter.generate(chat({ messages: [message] }), ctx('az-image'));
    assert.deepEqual((await sent('az-image')).body, { messages: [message] });
    assert.equal(completion.choices[0].message.content, "What's in this image?");
  });

  it('tools: a forced call comes back as tool_calls; the tool-result turn goes out as given', async () => {
    const question = `What's the weather like in Boston today? #mock${JSON.stringify({ text: WEATHER_ARGUMENTS })}`;
    const completion = await adapter.generate(
      say(question, { tools: [WEATHER_TOOL], tool_choice: { type: 'function', function: { name: 'get_current_weather' } } }),
      ctx('az-tool-call'),
    );
    assert.deepEqual((await sent('az-tool-call')).body, {
      messages: [{ role: 'user', content: question }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_current_weather' } },
    });
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    const [call] = choice.message.tool_calls ?? [];
    assert.match(call.id, /^call_/);
    assert.deepEqual(call.function, { name: 'get_current_weather', arguments: WEATHER_ARGUMENTS });

    const turns = toolResultTurns("What's the weather like in Boston today?", call.id);
    await adapter.generate(chat({ messages: turns, tools: [WEATHER_TOOL] }), ctx('az-tool-result'));
    assert.deepEqual((await sent('az-tool-result')).body, { messages: turns, tools: [WEATHER_TOOL] });
  });

  it('JSON schema output and stop sequences', async () => {
    const text = `Alice and Bob are going to a science fair on Friday. #mock${JSON.stringify({ text: CALENDAR_EVENT_JSON })}`;
    const structured = await adapter.generate(say(text, { response_format: CALENDAR_EVENT_FORMAT }), ctx('az-json'));
    assert.deepEqual((await sent('az-json')).body, { messages: [{ role: 'user', content: text }], response_format: CALENDAR_EVENT_FORMAT });
    assert.deepEqual(JSON.parse(structured.choices[0].message.content ?? ''), { name: 'science fair', date: 'Friday', participants: ['Alice', 'Bob'] });

    const stopped = await adapter.generate(say('Count. #mock{"text": "one two END three"}', { stop: 'END' }), ctx('az-stop'));
    assert.deepEqual((await sent('az-stop')).body, { messages: [{ role: 'user', content: 'Count. #mock{"text": "one two END three"}' }], stop: 'END' });
    assert.equal(stopped.choices[0].message.content, 'one two ');
    assert.equal(stopped.choices[0].finish_reason, 'stop');
  });

  it('output withheld by the content filter: a 200 with finish_reason content_filter and no content', async () => {
    const completion = await adapter.generate(say('Tell me something. #mock{"error_code": "content_filter"}'), ctx('az-filtered'));
    assert.deepEqual(completion.choices, [
      { index: 0, message: { role: 'assistant', content: null, refusal: null }, finish_reason: 'content_filter', logprobs: null },
    ]);
  });

  it('classifies a 429 as rate_limited with the wait from retry-after-ms', async () => {
    const error = await providerError(adapter.generate(say('#mock{"status": 429, "retry_after_s": 2.5}'), ctx('az-429')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 2500);
    assert.match(error.message, /^azure answered 429: Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21/);
  });

  it('classifies a prompt the content filter refused as content_filter, which neither retries nor falls back', async () => {
    const error = await providerError(adapter.generate(say('#mock{"status": 400, "error_code": "content_filter"}'), ctx('az-cf')));
    assert.equal(error.kind, 'content_filter');
    assert.equal(error.retryable, false);
    assert.equal(error.fallback, false);
    assert.match(error.body ?? '', /ResponsibleAIPolicyViolation/);
  });

  it('classifies the other failures from their Azure bodies', async () => {
    const cases: Array<[string, string]> = [
      ['{"status": 400, "error_code": "context_length_exceeded"}', 'context_length_exceeded'],
      ['{"status": 400}', 'invalid_request'],
      ['{"status": 404}', 'not_found'],
      ['{"status": 500}', 'server_error'],
      ['{"status": 503}', 'overloaded'],
    ];
    for (const [directive, kind] of cases) {
      const error = await providerError(adapter.generate(say(`#mock${directive}`), ctx(`az-${directive}`)));
      assert.equal(error.kind, kind, directive);
    }
  });

  it('a wrong key is authentication, and no key appears in the error', async () => {
    const wrongKey = 'wrong-azure-key-without-any-prefix';
    const error = await providerError(another({ apiKey: wrongKey }).generate(say('hi'), ctx('az-401')));
    assert.equal(error.kind, 'authentication');
    assert.match(error.message, /Access denied due to invalid subscription key/);
    const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
    assert.ok(!seen.includes(wrongKey) && !seen.includes(KEY), `a key leaked: ${seen}`);
  });

  it('the mock answers like Azure without an api-version (404) or with an unknown one (400)', async () => {
    const url = `${baseUrl}/openai/deployments/gpt-4o-prod/chat/completions`;
    const send = (query: string) =>
      request(`${url}${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'api-key': KEY },
        body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
      });
    const missing = await send('');
    assert.equal(missing.statusCode, 404);
    assert.deepEqual(await missing.body.json(), { error: { code: '404', message: 'Resource not found' } });
    const unknown = await send('?api-version=latest');
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(await unknown.body.json(), { error: { code: 'BadRequest', message: 'API version not supported' } });
  });

  it('embeddings: floats and base64 from the embedding deployment', async () => {
    const floats = await adapter.embed({ model: 'public-embedding', input: [EMBEDDING_INPUT], dimensions: 4 }, ctx('az-embed', 'text-embedding-3-small'));
    assert.deepEqual((await sent('az-embed', '/openai/deployments/embed-small/embeddings')).body, { input: [EMBEDDING_INPUT], dimensions: 4 });
    assert.equal(floats.model, 'embed-small');
    assert.equal((floats.data[0].embedding as number[]).length, 4);

    const packed = await adapter.embed({ model: 'e', input: EMBEDDING_INPUT, dimensions: 4, encoding_format: 'base64' }, ctx('az-embed-b64', 'text-embedding-3-small'));
    assert.deepEqual((await sent('az-embed-b64', '/openai/deployments/embed-small/embeddings')).body, {
      input: EMBEDDING_INPUT,
      dimensions: 4,
      encoding_format: 'base64',
    });
    assert.equal(Buffer.from(packed.data[0].embedding as string, 'base64').length, 16);

    const error = await providerError(adapter.embed({ model: 'e', input: '#mock{"status": 429, "retry_after_s": 1}' }, ctx('az-embed-429', 'text-embedding-3-small')));
    assert.equal(error.kind, 'rate_limited');
    assert.match(error.message, /Embeddings_Create/);
  });

  it('cancels a hanging call on abort, and the mock sees the connection close', async () => {
    const controller = new AbortController();
    const call = adapter.generate(say('#mock{"hang": true}'), ctx('az-abort', 'gpt-4o', controller.signal));
    await waitFor(async () => (await recordsFor('az-abort')).length === 1, { message: 'the mock to receive the call' });
    controller.abort();
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await recordsFor('az-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
  });
});

describe('AzureOpenAIAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: AzureOpenAIAdapter;

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new AzureOpenAIAdapter(config(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('streams from the deployment with stream_options, skipping the prompt-filter chunk, adding up to generate()', async () => {
    const chunks = await drain(adapter.stream(say('Hello from Azure'), ctx('az-stream')));
    const record = await wireFor(baseUrl, 'az-stream');
    assert.equal(record.path, '/openai/deployments/gpt-4o-prod/chat/completions');
    assert.equal(record.query, VERSION);
    assert.equal(record.headers['api-key'], KEY);
    assert.equal(record.headers.accept, 'text/event-stream');
    assert.deepEqual(record.body, { messages: [{ role: 'user', content: 'Hello from Azure' }], stream: true, stream_options: { include_usage: true } });

    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Hello' });
    const generated = await adapter.generate(say('Hello from Azure'), ctx('az-stream-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
  });

  it('streams a forced tool call', async () => {
    const chunks = await drain(adapter.stream(say(`Boston weather? #mock${JSON.stringify({ text: WEATHER_ARGUMENTS })}`, { tools: [WEATHER_TOOL], tool_choice: 'required' }), ctx('az-stream-tool')));
    const [call] = collectStream(chunks).choices[0].message.tool_calls ?? [];
    assert.deepEqual(call.function, { name: 'get_current_weather', arguments: WEATHER_ARGUMENTS });
  });

  it("fails before the stream as generate() does: Azure's content-filter refusal is content_filter", async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(say('#mock{"status": 400, "error_code": "content_filter"}'), ctx('az-stream-filter')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'content_filter');
  });

  it('reads an error event mid-stream as server_error, and a truncated stream as bad_response', async () => {
    const failed = await providerError(drain(adapter.stream(say('one two three #mock{"stream_fail_after": 1}'), ctx('az-stream-fail'))));
    assert.equal(failed.kind, 'server_error');
    const cut = await providerError(drain(adapter.stream(say('one two three #mock{"stream_truncate_after": 1}'), ctx('az-stream-cut'))));
    assert.equal(cut.kind, 'bad_response');
  });

  it('stops reading on abort and closes the connection, which the mock sees', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(say('one two #mock{"stream_stall_after": 1}'), ctx('az-stream-abort', 'gpt-4o', controller.signal))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
    await waitFor(async () => (await recordsFor('az-stream-abort'))[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });
});
