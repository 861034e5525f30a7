import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest, FunctionTool } from '@switchyard/contracts';
import { collectStream, createProviderAdapter, mockEmbeddings, ProviderError, type ProviderAdapter } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { waitFor } from './support/wait';

const KEY = 'cohere-wire-secret-0123456789abcdef';
const MODEL = 'command-a-03-2025';

/** The get_weather tool of Cohere's tool use guide. */
const GET_WEATHER: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'gets the weather of a given location',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'the location to get the weather, example: San Francisco.' } },
      required: ['location'],
    },
  },
};

/** The book schema of Cohere's structured outputs guide. */
const BOOK_SCHEMA = {
  type: 'object',
  properties: { title: { type: 'string' }, author: { type: 'string' }, publication_year: { type: 'integer' } },
  required: ['title', 'author', 'publication_year'],
};

function providerConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'cohere-primary', type: 'cohere', baseUrl, apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
}

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-model-name', messages: [{ role: 'user', content: text }], ...extra };
}

function ctx(jobId: string, signal: AbortSignal = new AbortController().signal, warnings: string[] = []) {
  return { model: MODEL, signal, jobId, warn: (message: string) => void warnings.push(message) };
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

/** mockCompletion's counts: four characters per prompt token, one word per completion token. */
function promptTokens(...texts: string[]): number {
  return Math.ceil(texts.join('').length / 4);
}

describe('CohereAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: ProviderAdapter;

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function lastWire(): Promise<WireRecord> {
    const wire = await control<{ data: WireRecord[] }>('/_control/wire?limit=1');
    assert.equal(wire.data.length, 1, 'no request reached the mock');
    return wire.data[0];
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = createProviderAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('sends a plain chat to POST /v2/chat with the bearer key and the routed model, and normalizes the reply', async () => {
    const text = 'Write a title for a blog post about API design. Only output the title text.';
    const completion = await adapter.generate(chat(text), ctx('job-plain'));

    const wire = await lastWire();
    assert.equal(wire.method, 'POST');
    assert.equal(wire.path, '/v2/chat');
    assert.equal(wire.query, '');
    assert.equal(wire.headers.authorization, `Bearer ${KEY}`);
    assert.equal(wire.headers['content-type'], 'application/json');
    assert.equal(wire.headers.accept, 'application/json');
    assert.deepEqual(wire.body, { model: MODEL, messages: [{ role: 'user', content: text }], stream: false });

    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.id, /^[0-9a-f-]{36}$/);
    assert.equal(completion.model, MODEL);
    assert.deepEqual(completion.choices, [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }]);
    const words = text.split(' ').length;
    assert.deepEqual(completion.usage, { prompt_tokens: promptTokens(text), completion_tokens: words, total_tokens: promptTokens(text) + words });
  });

  it('sends a system prompt and the sampling settings under Cohere names', async () => {
    const system = 'You respond concisely, in about 5 words or less';
    const user = 'Write a title for a blog post about API design. Only output the title text.';
    const completion = await adapter.generate(
      {
        model: 'public-model-name',
        messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
        temperature: 0.3,
        top_p: 0.75,
        max_completion_tokens: 50,
        seed: 42,
        frequency_penalty: 0.2,
        presence_penalty: 0.1,
      },
      ctx('job-system'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [{ role: 'system', content: system }, { role: 'user', content: user }],
      stream: false,
      temperature: 0.3,
      p: 0.75,
      max_tokens: 50,
      seed: 42,
      frequency_penalty: 0.2,
      presence_penalty: 0.1,
    });
    assert.equal(completion.choices[0].message.content, user);
    assert.equal(completion.usage.prompt_tokens, promptTokens(system, user));
  });

  it('keeps a multi-turn conversation in order, a developer turn becoming a system turn', async () => {
    const completion = await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          { role: 'developer', content: 'You respond concisely, in about 5 words or less' },
          { role: 'user', content: 'Write a title for a blog post about API design. Only output the title text.' },
          { role: 'assistant', content: 'Designing Perfect APIs' },
          { role: 'user', content: [{ type: 'text', text: 'Another one about generative AI.' }] },
        ],
      },
      ctx('job-multi'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [
        { role: 'system', content: 'You respond concisely, in about 5 words or less' },
        { role: 'user', content: 'Write a title for a blog post about API design. Only output the title text.' },
        { role: 'assistant', content: 'Designing Perfect APIs' },
        { role: 'user', content: [{ type: 'text', text: 'Another one about generative AI.' }] },
      ],
      stream: false,
    });
    assert.equal(completion.choices[0].message.content, 'Another one about generative AI.');
  });

  it('passes images through as image_url items, by URL or as a base64 data URL, with their detail', async () => {
    const prompt = 'Please create two markdown tables. One for Revenue. One for CAGR.';
    const dataUrl = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const completion = await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: prompt },
              { type: 'image_url', image_url: { url: 'https://example.com/earnings.png', detail: 'low' } },
              { type: 'image_url', image_url: { url: dataUrl } },
            ],
          },
        ],
      },
      ctx('job-image'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: prompt },
            { type: 'image_url', image_url: { url: 'https://example.com/earnings.png', detail: 'low' } },
            { type: 'image_url', image_url: { url: dataUrl } },
          ],
        },
      ],
      stream: false,
    });
    assert.equal(completion.choices[0].message.content, prompt);
  });

  it('forces one named tool as REQUIRED with only that tool, and replays a tool call (its text as tool_plan) and its result', async () => {
    const other: FunctionTool = { type: 'function', function: { name: 'get_time', description: 'gets the local time', parameters: { type: 'object', properties: {} } } };
    await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          { role: 'user', content: "What's the weather in Toronto?" },
          {
            role: 'assistant',
            content: 'I will search for the weather in Toronto.',
            tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }],
          },
          { role: 'tool', tool_call_id: 'get_weather_1byjy32y4hvq', content: '[{"temperature": "20C"}]' },
        ],
        tools: [GET_WEATHER, other],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      },
      ctx('job-tools'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [
        { role: 'user', content: "What's the weather in Toronto?" },
        {
          role: 'assistant',
          tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }],
          tool_plan: 'I will search for the weather in Toronto.',
        },
        { role: 'tool', tool_call_id: 'get_weather_1byjy32y4hvq', content: '[{"temperature": "20C"}]' },
      ],
      stream: false,
      tools: [GET_WEATHER],
      tool_choice: 'REQUIRED',
    });
  });

  it('says tool_choice none as NONE, required as REQUIRED, and sets strict_tools only when every tool is strict', async () => {
    const strict: FunctionTool = { type: 'function', function: { ...GET_WEATHER.function, strict: true } };
    await adapter.generate(chat("What's the weather in Toronto?", { tools: [strict], tool_choice: 'none' }), ctx('job-none'));
    const none = (await lastWire()).body as Record<string, unknown>;
    assert.deepEqual(none.tools, [GET_WEATHER]);
    assert.equal(none.strict_tools, true);
    assert.equal(none.tool_choice, 'NONE');

    await adapter.generate(chat("What's the weather in Toronto?", { tools: [strict, GET_WEATHER], tool_choice: 'required' }), ctx('job-required'));
    const required = (await lastWire()).body as Record<string, unknown>;
    assert.equal(required.strict_tools, undefined);
    assert.equal(required.tool_choice, 'REQUIRED');

    await adapter.generate(chat("What's the weather in Toronto?", { tools: [GET_WEATHER], tool_choice: 'auto' }), ctx('job-auto'));
    assert.equal(((await lastWire()).body as Record<string, unknown>).tool_choice, undefined);
  });

  it('asks for JSON with response_format json_object, carrying a JSON schema in json_schema', async () => {
    const prompt = "Generate a JSON describing a book, with the fields 'title' and 'author' and 'publication_year'";
    await adapter.generate(
      chat(prompt, { response_format: { type: 'json_schema', json_schema: { name: 'book', schema: BOOK_SCHEMA, strict: true } } }),
      ctx('job-schema'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [{ role: 'user', content: prompt }],
      stream: false,
      response_format: { type: 'json_object', json_schema: BOOK_SCHEMA },
    });

    await adapter.generate(chat("Generate a JSON describing a person, with the fields 'name' and 'age'", { response_format: { type: 'json_object' } }), ctx('job-json'));
    assert.deepEqual(((await lastWire()).body as Record<string, unknown>).response_format, { type: 'json_object' });
  });

  it('sends stop sequences as a list and reports MAX_TOKENS as length', async () => {
    await adapter.generate(chat('one two three', { stop: 'END' }), ctx('job-stop'));
    assert.deepEqual(((await lastWire()).body as Record<string, unknown>).stop_sequences, ['END']);

    const cut = await adapter.generate(chat('one two three', { stop: ['\n\n', 'END'], max_tokens: 2 }), ctx('job-length'));
    const body = (await lastWire()).body as Record<string, unknown>;
    assert.deepEqual(body.stop_sequences, ['\n\n', 'END']);
    assert.equal(body.max_tokens, 2);
    assert.equal(cut.choices[0].message.content, 'one two');
    assert.equal(cut.choices[0].finish_reason, 'length');
  });

  it('refuses n > 1 before sending anything, and drops user with a warning', async () => {
    await request(`${baseUrl}/_control/wire`, { method: 'DELETE' });
    const error = await providerError(adapter.generate(chat('hi', { n: 2 }), ctx('job-n')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /does not support: n/);
    assert.equal((await control<{ data: WireRecord[] }>('/_control/wire')).data.length, 0);

    const warnings: string[] = [];
    await adapter.generate(chat('hi', { user: 'user-123', parallel_tool_calls: false }), ctx('job-user', undefined, warnings));
    const body = (await lastWire()).body as Record<string, unknown>;
    assert.equal(body.user, undefined);
    assert.deepEqual(warnings, ['cohere-primary does not support user, parallel_tool_calls; dropped']);
  });

  it("classifies Cohere's error statuses and keeps its message", async () => {
    const expected: Array<[string, string, number, RegExp]> = [
      ['{"status": 400}', 'invalid_request', 400, /invalid request/],
      ['{"status": 400, "error_code": "context_length_exceeded"}', 'context_length_exceeded', 400, /too many tokens/],
      ['{"status": 400, "error_code": "content_filter"}', 'content_filter', 498, /deny-listed token/],
      ['{"status": 498}', 'content_filter', 498, /deny-listed token/],
      ['{"status": 402}', 'permission', 402, /payment method/],
      ['{"status": 404}', 'not_found', 404, /model 'command-a-03-2025' not found/],
      ['{"status": 422}', 'invalid_request', 422, /422/],
      ['{"status": 499}', 'server_error', 499, /request cancelled/],
      ['{"status": 500}', 'server_error', 500, /internal server error/],
      ['{"status": 501}', 'unknown', 501, /501/],
      ['{"status": 503}', 'overloaded', 503, /503/],
      ['{"status": 504}', 'timeout', 504, /504/],
    ];
    for (const [directive, kind, status, message] of expected) {
      const error = await providerError(adapter.generate(chat(`#mock${directive}`), ctx(`job-${status}`)));
      assert.equal(error.kind, kind, directive);
      assert.equal(error.status, status, directive);
      assert.match(error.message, message, directive);
      assert.match(error.message, /^cohere-primary answered \d{3}: /);
      assert.ok(JSON.parse(error.body ?? '{}').message, `${directive}: the body is Cohere's {"message": ...}`);
    }
    const context = await providerError(adapter.generate(chat('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('job-ctx')));
    assert.equal(context.retryable, false);
    assert.equal(context.fallback, false);
  });

  it('classifies a 429 as rate_limited and honours a retry-after header', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.retryable, true);
    assert.match(error.message, /past the per minute request limit/);
    const bare = await providerError(adapter.generate(chat('#mock{"status": 429}'), ctx('job-429-bare')));
    assert.equal(bare.retryAfterMs, undefined);
  });

  it('embeds through POST /v2/embed and answers in the OpenAI shape', async () => {
    const embedder = createProviderAdapter(providerConfig(baseUrl, { options: { embed_input_type: 'search_query' } }));
    try {
      const input = ['hello', 'goodbye world'];
      const result = await adapter.embed!({ model: 'public-embed', input, dimensions: 4 }, { ...ctx('job-embed'), model: 'embed-v4.0' });
      const wire = await lastWire();
      assert.equal(wire.path, '/v2/embed');
      assert.equal(wire.headers.authorization, `Bearer ${KEY}`);
      assert.deepEqual(wire.body, { model: 'embed-v4.0', texts: input, input_type: 'search_document', embedding_types: ['float'], output_dimension: 4 });
      assert.deepEqual(result, mockEmbeddings({ model: 'embed-v4.0', input, dimensions: 4 }, 'embed-v4.0'));

      const single = await embedder.embed!({ model: 'public-embed', input: 'hello', encoding_format: 'base64' }, { ...ctx('job-embed-64'), model: 'embed-v4.0' });
      assert.deepEqual((await lastWire()).body, { model: 'embed-v4.0', texts: ['hello'], input_type: 'search_query', embedding_types: ['float'] });
      const floats = mockEmbeddings({ model: 'embed-v4.0', input: 'hello' }, 'embed-v4.0').data[0].embedding as number[];
      assert.equal(single.data[0].embedding, Buffer.from(new Float32Array(floats).buffer).toString('base64'));
    } finally {
      await embedder.close();
    }
  });

  it('cancels a hanging call on abort, and the mock sees the connection close', async () => {
    const controller = new AbortController();
    const call = adapter.generate(chat('abort-marker #mock{"hang": true}'), ctx('job-abort', controller.signal));
    const pending = async () => (await control<{ data: RequestRecord[] }>('/_control/requests')).data.find((r) => r.user_text.startsWith('abort-marker'));
    await waitFor(pending, { message: 'the mock to receive the call' });
    controller.abort();
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await pending())?.aborted === true, { message: 'the mock to see the abort' });
  });

  it('never lets the key into an error, even when the answer echoes it', async () => {
    for (const key of ['plain-secret-without-any-prefix', 'co-ABCDEFGHIJKLMNOP0123456789']) {
      const wrong = createProviderAdapter(providerConfig(baseUrl, { apiKey: key }));
      try {
        const error = await providerError(wrong.generate(chat('hi'), ctx(`job-key-${key.length}`)));
        assert.equal(error.kind, 'authentication');
        const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
        assert.ok(!seen.includes(key), `the key leaked: ${seen}`);
        assert.match(error.body ?? '', /invalid api token/);
      } finally {
        await wrong.close();
      }
    }
  });
});

describe('CohereAdapter against a fixture upstream answering documented bodies', () => {
  let upstream: Server;
  let adapter: ProviderAdapter;
  let answer: { status: number; body: string } = { status: 200, body: '{}' };

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = createProviderAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('normalizes a tool call: the tool plan as content, TOOL_CALL as tool_calls, usage from billed units', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        id: '5a50480a-cf52-46f0-af01-53d18539bd31',
        message: {
          role: 'assistant',
          tool_plan: 'I will search for the weather in Toronto.',
          tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }],
        },
        finish_reason: 'TOOL_CALL',
        usage: { billed_units: { input_tokens: 17, output_tokens: 12 }, tokens: { input_tokens: 215, output_tokens: 12 } },
      }),
    };
    const completion = await adapter.generate(chat("What's the weather in Toronto?", { tools: [GET_WEATHER] }), ctx('job-fixture-tool'));
    assert.equal(completion.id, '5a50480a-cf52-46f0-af01-53d18539bd31');
    assert.deepEqual(completion.choices, [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: 'I will search for the weather in Toronto.',
          refusal: null,
          tool_calls: [{ id: 'get_weather_1byjy32y4hvq', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Toronto"}' } }],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
    assert.deepEqual(completion.usage, { prompt_tokens: 17, completion_tokens: 12, total_tokens: 29 });
  });

  it('maps STOP_SEQUENCE to stop and joins the text items', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        id: 'c14c80c3-18eb-4519-9460-6c92edd8cfb4',
        message: { role: 'assistant', content: [{ type: 'text', text: 'Designing ' }, { type: 'text', text: 'Perfect APIs' }] },
        finish_reason: 'STOP_SEQUENCE',
        usage: { tokens: { input_tokens: 215, output_tokens: 3 } },
      }),
    };
    const completion = await adapter.generate(chat('title?'), ctx('job-fixture-stop'));
    assert.equal(completion.choices[0].message.content, 'Designing Perfect APIs');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.deepEqual(completion.usage, { prompt_tokens: 215, completion_tokens: 3, total_tokens: 218 });
  });

  it('fails a generation that ended with finish_reason ERROR or TIMEOUT instead of storing it', async () => {
    for (const [reason, kind] of [['ERROR', 'server_error'], ['TIMEOUT', 'timeout']]) {
      answer = { status: 200, body: JSON.stringify({ id: 'x', message: { role: 'assistant', content: [] }, finish_reason: reason }) };
      const error = await providerError(adapter.generate(chat('hi'), ctx(`job-fixture-${reason}`)));
      assert.equal(error.kind, kind);
      assert.match(error.message, new RegExp(`finish_reason ${reason}`));
    }
  });

  it('reports a 2xx that is not a Cohere chat response as bad_response', async () => {
    answer = { status: 200, body: '{"choices": []}' };
    const error = await providerError(adapter.generate(chat('hi'), ctx('job-fixture-bad')));
    assert.equal(error.kind, 'bad_response');
  });
});

describe('cohere provider options', () => {
  it('rejects an unknown option or a wrong value, naming the key path', () => {
    assert.throws(() => createProviderAdapter(providerConfig('http://127.0.0.1:1', { options: { embed_input_type: 'image' } })), /^Error: providers\.cohere-primary\.options\.embed_input_type: /);
    assert.throws(() => createProviderAdapter(providerConfig('http://127.0.0.1:1', { options: { region: 'eu' } })), /^Error: providers\.cohere-primary\.options\.region: /);
  });
});

describe('CohereAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: ProviderAdapter;

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function lastWire(): Promise<WireRecord> {
    const wire = await control<{ data: WireRecord[] }>('/_control/wire?limit=1');
    return wire.data[0];
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = createProviderAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('sends the Chat v2 body with stream: true and reads the events into chunks that add up to generate()', async () => {
    const text = 'Write a title for a blog post about API design.';
    const chunks = await drain(adapter.stream(chat(text), ctx('job-stream-text')));
    const wire = await lastWire();
    assert.equal(wire.path, '/v2/chat');
    assert.equal(wire.headers.accept, 'text/event-stream');
    assert.equal(wire.headers.authorization, `Bearer ${KEY}`);
    assert.deepEqual(wire.body, { model: MODEL, messages: [{ role: 'user', content: text }], stream: true });

    assert.match(chunks[0].id, /^[0-9a-f-]{36}$/, 'the id of message-start');
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Write' });
    const generated = await adapter.generate(chat(text), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.deepEqual(chunks.at(-1)?.choices, []);
  });

  it('fails before the stream as generate() does', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 429, "retry_after_s": 4}'), ctx('job-stream-429')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 4000);
  });

  it('reads a message-end with finish_reason ERROR mid-stream as server_error', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_fail_after": 2}'), ctx('job-stream-fail')), seen));
    assert.equal(error.kind, 'server_error');
    assert.equal(error.message, 'cohere-primary failed mid-stream with finish_reason ERROR');
    assert.equal(collectStream(seen).choices[0].message.content, 'one two');
  });

  it('reads a stream that ends without message-end as bad_response', async () => {
    const error = await providerError(drain(adapter.stream(chat('one two #mock{"stream_truncate_after": 1}'), ctx('job-stream-cut'))));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.message, 'cohere-primary ended the stream before its final event');
  });

  it('stops reading on abort and closes the connection, which the upstream sees', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(chat('abort this stream #mock{"stream_stall_after": 1}'), ctx('job-stream-abort', controller.signal))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'abort');
    const next = iterator.next();
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
    const aborted = async (): Promise<boolean> => {
      const { data } = await control<{ data: RequestRecord[] }>('/_control/requests');
      return data.some((record) => record.user_text === 'abort this stream' && record.aborted);
    };
    await waitFor(aborted, { message: 'the mock to see the connection close' });
  });
});

describe('Cohere streams the mock does not produce', () => {
  let upstream: Server;
  let adapter: ProviderAdapter;
  let nextStream = '';

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(nextStream);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = createProviderAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const event = (type: string, data: object = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

  it('streams the tool plan as content and parallel tool calls under their own indexes, usage from billed units', async () => {
    // The tool calling step of Cohere's "Streaming for tool use" guide, two calls in parallel.
    const call = (index: number, id: string, location: string): string[] => [
      event('tool-call-start', { index, delta: { message: { tool_calls: { id, type: 'function', function: { name: 'get_weather', arguments: '' } } } } }),
      event('tool-call-delta', { index, delta: { message: { tool_calls: { function: { arguments: '{"location":' } } } } }),
      event('tool-call-delta', { index, delta: { message: { tool_calls: { function: { arguments: ` "${location}"}` } } } } }),
      event('tool-call-end', { index }),
    ];
    nextStream = [
      event('message-start', { id: 'fba98ad3-e5a1-413c-a8de-84fbf9baabf7', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } }),
      event('tool-plan-delta', { delta: { message: { tool_plan: 'I will search' } } }),
      event('tool-plan-delta', { delta: { message: { tool_plan: ' for the weather.' } } }),
      ...call(0, 'get_weather_p0dage9q1nv4', 'Madrid'),
      ...call(1, 'get_weather_vdr9cvj619fk', 'Brasilia'),
      event('message-end', { delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 37, output_tokens: 28 }, tokens: { input_tokens: 913, output_tokens: 83 } } } }),
      'data: [DONE]\n\n',
    ].join('');
    const chunks = await drain(adapter.stream(chat('What is the weather in Madrid and Brasilia?', { tools: [GET_WEATHER] }), ctx('job-fixture-stream-tools')));
    assert.deepEqual(collectStream(chunks), {
      id: 'fba98ad3-e5a1-413c-a8de-84fbf9baabf7',
      object: 'chat.completion',
      created: chunks[0].created,
      model: MODEL,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'I will search for the weather.',
            refusal: null,
            tool_calls: [
              { id: 'get_weather_p0dage9q1nv4', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Madrid"}' } },
              { id: 'get_weather_vdr9cvj619fk', type: 'function', function: { name: 'get_weather', arguments: '{"location": "Brasilia"}' } },
            ],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 37, completion_tokens: 28, total_tokens: 65 },
    });
  });

  it('reads a TIMEOUT finish as timeout and skips citation and thinking events', async () => {
    nextStream = [
      event('message-start', { id: 'x' }),
      event('content-start', { index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } }),
      event('content-delta', { index: 0, delta: { message: { content: { thinking: 'hmm' } } } }),
      event('citation-start', { index: 0, delta: { message: { citations: { start: 0, end: 1, text: 'a' } } } }),
      event('content-delta', { index: 1, delta: { message: { content: { text: 'partial' } } } }),
      event('message-end', { delta: { finish_reason: 'TIMEOUT' } }),
    ].join('');
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('hi'), ctx('job-fixture-stream-timeout')), seen));
    assert.equal(error.kind, 'timeout');
    assert.deepEqual(seen.map((chunk) => chunk.choices[0].delta.content), ['partial']);
  });
});
