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

const KEY = 'ollama-proxy-secret-0123456789abcdef';
const MODEL = 'llama3.2';

/** The get_temperature tool of Ollama's tool calling guide. */
const GET_TEMPERATURE: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_temperature',
    description: 'Get the current temperature for a city',
    parameters: { type: 'object', required: ['city'], properties: { city: { type: 'string', description: 'The name of the city' } } },
  },
};

/** The schema of Ollama's structured outputs example. */
const AGE_SCHEMA = {
  type: 'object',
  properties: { age: { type: 'integer' }, available: { type: 'boolean' } },
  required: ['age', 'available'],
};

/** A 1x1 PNG. */
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

function providerConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'ollama-local', type: 'ollama', baseUrl, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
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

describe('OllamaAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: ProviderAdapter;
  const extra: ProviderAdapter[] = [];

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function lastWire(): Promise<WireRecord> {
    const wire = await control<{ data: WireRecord[] }>('/_control/wire?limit=1');
    assert.equal(wire.data.length, 1, 'no request reached the mock');
    return wire.data[0];
  }

  function extraAdapter(overrides: Partial<ProviderConfig>): ProviderAdapter {
    const created = createProviderAdapter(providerConfig(baseUrl, overrides));
    extra.push(created);
    return created;
  }

  before(async () => {
    server = createMockProviderServer();
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = createProviderAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await Promise.all([adapter, ...extra].map((a) => a.close()));
    await server.close();
  });

  it('sends a plain chat to POST /api/chat without streaming or auth, and normalizes the reply', async () => {
    const text = 'why is the sky blue?';
    const completion = await adapter.generate(chat(text), ctx('job-plain'));

    const wire = await lastWire();
    assert.equal(wire.method, 'POST');
    assert.equal(wire.path, '/api/chat');
    assert.equal(wire.query, '');
    assert.equal(wire.headers.authorization, undefined);
    assert.equal(wire.headers['content-type'], 'application/json');
    assert.deepEqual(wire.body, { model: MODEL, messages: [{ role: 'user', content: text }], stream: false });

    assert.equal(completion.id, 'chatcmpl-job-plain');
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, MODEL);
    assert.ok(Math.abs(completion.created - Date.now() / 1000) < 60);
    assert.deepEqual(completion.choices, [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }]);
    assert.deepEqual(completion.usage, { prompt_tokens: promptTokens(text), completion_tokens: 5, total_tokens: promptTokens(text) + 5 });
  });

  it('sends a system prompt, the sampling settings inside options, and keep_alive from the provider options', async () => {
    const kept = extraAdapter({ options: { keep_alive: '10m' } });
    await kept.generate(
      {
        model: 'public-model-name',
        messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: 'Hello!' }],
        temperature: 0,
        top_p: 0.9,
        max_tokens: 100,
        seed: 101,
        presence_penalty: 1.5,
        frequency_penalty: 1.0,
      },
      ctx('job-options'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [{ role: 'system', content: 'You are a concise assistant.' }, { role: 'user', content: 'Hello!' }],
      stream: false,
      options: { temperature: 0, top_p: 0.9, num_predict: 100, seed: 101, presence_penalty: 1.5, frequency_penalty: 1.0 },
      keep_alive: '10m',
    });
  });

  it('keeps a multi-turn conversation in order, text parts joined into one content string', async () => {
    const completion = await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          { role: 'developer', content: 'Answer briefly.' },
          { role: 'user', content: 'why is the sky blue?' },
          { role: 'assistant', content: 'due to rayleigh scattering.' },
          { role: 'user', content: [{ type: 'text', text: 'how is that different' }, { type: 'text', text: 'than mie scattering?' }] },
        ],
      },
      ctx('job-history'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [
        { role: 'system', content: 'Answer briefly.' },
        { role: 'user', content: 'why is the sky blue?' },
        { role: 'assistant', content: 'due to rayleigh scattering.' },
        { role: 'user', content: 'how is that different\nthan mie scattering?' },
      ],
      stream: false,
    });
    assert.equal(completion.choices[0].message.content, 'how is that different\nthan mie scattering?');
  });

  it('sends a base64 data URL image as raw base64 in images, and refuses an http(s) image URL without calling', async () => {
    await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'what is in this image?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}`, detail: 'high' } },
            ],
          },
        ],
      },
      ctx('job-image'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [{ role: 'user', content: 'what is in this image?', images: [PNG_BASE64] }],
      stream: false,
    });

    await request(`${baseUrl}/_control/wire`, { method: 'DELETE' });
    const url = chat('x', {
      messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/pig.png' } }] }],
    });
    const error = await providerError(adapter.generate(url, ctx('job-image-url')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /base64 data URLs/);
    assert.equal((await control<{ data: WireRecord[] }>('/_control/wire')).data.length, 0);

    const warnings: string[] = [];
    await extraAdapter({ unsupportedParams: 'drop' }).generate(url, ctx('job-image-drop', undefined, warnings));
    assert.deepEqual((await lastWire()).body, { model: MODEL, messages: [{ role: 'user', content: '' }], stream: false });
    assert.deepEqual(warnings, ['ollama-local takes images only as base64 data URLs; an image URL was dropped']);
  });

  it('offers tools and replays a tool call (arguments as an object) and its result (tool_name)', async () => {
    await adapter.generate(
      {
        model: 'public-model-name',
        messages: [
          { role: 'user', content: 'What is the temperature in New York?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_temperature', arguments: '{"city":"New York"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '22°C' },
        ],
        tools: [GET_TEMPERATURE],
        tool_choice: 'auto',
      },
      ctx('job-tools'),
    );
    assert.deepEqual((await lastWire()).body, {
      model: MODEL,
      messages: [
        { role: 'user', content: 'What is the temperature in New York?' },
        { role: 'assistant', tool_calls: [{ type: 'function', function: { index: 0, name: 'get_temperature', arguments: { city: 'New York' } } }] },
        { role: 'tool', tool_name: 'get_temperature', content: '22°C' },
      ],
      stream: false,
      tools: [GET_TEMPERATURE],
    });
  });

  it('says tool_choice none by offering no tools, and refuses a forced call unless the provider drops it', async () => {
    await adapter.generate(chat('What is the temperature in New York?', { tools: [GET_TEMPERATURE], tool_choice: 'none' }), ctx('job-none'));
    assert.equal(((await lastWire()).body as Record<string, unknown>).tools, undefined);

    const forced = chat('What is the temperature in New York?', { tools: [GET_TEMPERATURE], tool_choice: 'required' });
    const error = await providerError(adapter.generate(forced, ctx('job-required')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /cannot force a tool call/);

    const warnings: string[] = [];
    const dropping = extraAdapter({ unsupportedParams: 'drop' });
    await dropping.generate({ ...forced, tool_choice: { type: 'function', function: { name: 'get_temperature' } } }, ctx('job-drop', undefined, warnings));
    assert.deepEqual(((await lastWire()).body as Record<string, unknown>).tools, [GET_TEMPERATURE]);
    assert.deepEqual(warnings, ['ollama-local cannot force a tool call; tool_choice dropped']);
  });

  it('asks for structured output with the JSON schema as format, and JSON mode with format json', async () => {
    const prompt = 'Ollama is 22 years old and busy saving the world. Return a JSON object with the age and availability.';
    await adapter.generate(chat(prompt, { response_format: { type: 'json_schema', json_schema: { name: 'person', schema: AGE_SCHEMA } } }), ctx('job-schema'));
    assert.deepEqual((await lastWire()).body, { model: MODEL, messages: [{ role: 'user', content: prompt }], stream: false, format: AGE_SCHEMA });

    await adapter.generate(chat('What color is the sky at different times of the day? Respond using JSON', { response_format: { type: 'json_object' } }), ctx('job-json'));
    assert.equal(((await lastWire()).body as Record<string, unknown>).format, 'json');
  });

  it('sends stop sequences as a list inside options and reports done_reason length as length', async () => {
    const cut = await adapter.generate(chat('one two three', { stop: 'user:', max_completion_tokens: 2 }), ctx('job-stop'));
    assert.deepEqual(((await lastWire()).body as Record<string, unknown>).options, { num_predict: 2, stop: ['user:'] });
    assert.equal(cut.choices[0].message.content, 'one two');
    assert.equal(cut.choices[0].finish_reason, 'length');
    assert.equal(cut.usage.completion_tokens, 2);
  });

  it('refuses n > 1 and drops user with a warning', async () => {
    const error = await providerError(adapter.generate(chat('hi', { n: 3 }), ctx('job-n')));
    assert.equal(error.kind, 'invalid_request');
    const warnings: string[] = [];
    await adapter.generate(chat('hi', { user: 'user-123' }), ctx('job-user', undefined, warnings));
    assert.equal(((await lastWire()).body as Record<string, unknown>).user, undefined);
    assert.deepEqual(warnings, ['ollama-local does not support user; dropped']);
  });

  it("classifies Ollama's error statuses and keeps its {\"error\"} message", async () => {
    const expected: Array<[string, string, number, RegExp]> = [
      ['{"status": 400}', 'invalid_request', 400, /invalid request/],
      ['{"status": 400, "error_code": "context_length_exceeded"}', 'context_length_exceeded', 400, /exceeds the context length/],
      ['{"status": 403}', 'permission', 403, /cloud model access/],
      ['{"status": 404}', 'not_found', 404, /model "llama3\.2" not found, try pulling it first/],
      ['{"status": 500}', 'server_error', 500, /the model failed to generate a response/],
      ['{"status": 502}', 'server_error', 502, /cannot be reached/],
      ['{"status": 503}', 'overloaded', 503, /server busy/],
    ];
    for (const [directive, kind, status, message] of expected) {
      const error = await providerError(adapter.generate(chat(`#mock${directive}`), ctx(`job-${status}`)));
      assert.equal(error.kind, kind, directive);
      assert.equal(error.status, status, directive);
      assert.match(error.message, message, directive);
      assert.match(error.message, /^ollama-local answered \d{3}: /);
      assert.equal(typeof JSON.parse(error.body ?? '{}').error, 'string', `${directive}: the body is Ollama's {"error": ...}`);
    }
  });

  it('classifies a 429 as rate_limited and honours its retry-after', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 2000);
    assert.match(error.message, /too many requests/);
  });

  it('embeds through POST /api/embed with truncation off by default, and answers in the OpenAI shape', async () => {
    const input = ['Why is the sky blue?', 'Why is the grass green?'];
    const result = await adapter.embed!({ model: 'public-embed', input, dimensions: 4 }, { ...ctx('job-embed'), model: 'all-minilm' });
    const wire = await lastWire();
    assert.equal(wire.path, '/api/embed');
    assert.deepEqual(wire.body, { model: 'all-minilm', input, truncate: false, dimensions: 4 });
    assert.deepEqual(result, mockEmbeddings({ model: 'all-minilm', input, dimensions: 4 }, 'all-minilm'));

    const tuned = extraAdapter({ options: { keep_alive: 300, embed_truncate: true } });
    const single = await tuned.embed!({ model: 'public-embed', input: 'Why is the sky blue?', encoding_format: 'base64' }, { ...ctx('job-embed-64'), model: 'all-minilm' });
    assert.deepEqual((await lastWire()).body, { model: 'all-minilm', input: 'Why is the sky blue?', truncate: true, keep_alive: 300 });
    const floats = mockEmbeddings({ model: 'all-minilm', input: 'Why is the sky blue?' }, 'all-minilm').data[0].embedding as number[];
    assert.equal(single.data[0].embedding, Buffer.from(new Float32Array(floats).buffer).toString('base64'));
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

  it('answers a client that leaves stream unset with Ollama NDJSON', async () => {
    const response = await request(`${baseUrl}/api/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'one two three' }] }),
    });
    assert.match(String(response.headers['content-type']), /^application\/x-ndjson/);
    const lines = (await response.body.text()).trim().split('\n').map((line) => JSON.parse(line) as { done: boolean; message: { content: string }; eval_count?: number });
    assert.deepEqual(lines.map((line) => line.done), [false, false, false, true]);
    assert.equal(lines.map((line) => line.message.content).join(''), 'one two three');
    assert.equal(lines[3].eval_count, 3);
  });
});

describe('OllamaAdapter behind an authenticating proxy', () => {
  let server: FastifyInstance;
  let baseUrl: string;

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await server.close();
  });

  it('sends a configured key as a bearer token', async () => {
    const keyed = createProviderAdapter(providerConfig(baseUrl, { apiKey: KEY }));
    try {
      await keyed.generate(chat('hi'), ctx('job-keyed'));
      const wire = await request(`${baseUrl}/_control/wire?limit=1`);
      const [record] = ((await wire.body.json()) as { data: WireRecord[] }).data;
      assert.equal(record.headers.authorization, `Bearer ${KEY}`);
    } finally {
      await keyed.close();
    }
  });

  it('never lets the key into an error, even when the answer echoes it', async () => {
    for (const key of ['plain-secret-without-any-prefix', 'ol-ABCDEFGHIJKLMNOP0123456789']) {
      const wrong = createProviderAdapter(providerConfig(baseUrl, { apiKey: key }));
      try {
        const error = await providerError(wrong.generate(chat('hi'), ctx(`job-key-${key.length}`)));
        assert.equal(error.kind, 'authentication');
        const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
        assert.ok(!seen.includes(key), `the key leaked: ${seen}`);
        assert.match(error.body ?? '', /unauthorized/);
      } finally {
        await wrong.close();
      }
    }
  });
});

describe('OllamaAdapter against a fixture upstream answering documented bodies', () => {
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

  it('normalizes a tool call: arguments as a JSON string, an id when Ollama gives none, tool_calls as the finish reason', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        model: 'llama3.2',
        created_at: '2024-07-22T20:33:28.123648Z',
        message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_current_weather', arguments: { format: 'celsius', location: 'Paris, FR' } } }] },
        done_reason: 'stop',
        done: true,
        total_duration: 885095291,
        load_duration: 3753500,
        prompt_eval_count: 122,
        prompt_eval_duration: 328493000,
        eval_count: 33,
        eval_duration: 552222000,
      }),
    };
    const completion = await adapter.generate(chat('What is the weather today in Paris?'), ctx('job-fixture-tool'));
    assert.equal(completion.created, Math.floor(Date.parse('2024-07-22T20:33:28.123648Z') / 1000));
    assert.deepEqual(completion.choices, [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          refusal: null,
          tool_calls: [{ id: 'call_chatcmpl-job-fixture-tool_0', type: 'function', function: { name: 'get_current_weather', arguments: '{"format":"celsius","location":"Paris, FR"}' } }],
        },
        finish_reason: 'tool_calls',
        logprobs: null,
      },
    ]);
    assert.deepEqual(completion.usage, { prompt_tokens: 122, completion_tokens: 33, total_tokens: 155 });
  });

  it('keeps the id a recent Ollama gives a tool call', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({
        model: 'qwen3',
        created_at: '2025-10-17T23:14:07.414671Z',
        message: { role: 'assistant', content: '', tool_calls: [{ id: 'call_k5f1', function: { index: 0, name: 'get_temperature', arguments: { city: 'New York' } } }] },
        done: true,
        done_reason: 'stop',
      }),
    };
    const completion = await adapter.generate(chat('What is the temperature in New York?'), ctx('job-fixture-id'));
    assert.equal(completion.choices[0].message.tool_calls?.[0].id, 'call_k5f1');
    assert.deepEqual(completion.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('reads the context-length error of older Ollama versions, which answer 500', async () => {
    answer = { status: 500, body: '{"error":"the input length exceeds the context length"}' };
    const error = await providerError(adapter.generate(chat('a very long prompt'), ctx('job-fixture-ctx')));
    assert.equal(error.kind, 'context_length_exceeded');
    assert.equal(error.fallback, false);
  });

  it('reports a 2xx that is not an Ollama chat response as bad_response', async () => {
    answer = { status: 200, body: '{"choices": []}' };
    const error = await providerError(adapter.generate(chat('hi'), ctx('job-fixture-bad')));
    assert.equal(error.kind, 'bad_response');
  });
});

describe('ollama provider options', () => {
  it('rejects an unknown option or a wrong value, naming the key path', () => {
    assert.throws(() => createProviderAdapter(providerConfig('http://127.0.0.1:1', { options: { embed_truncate: 'yes' } })), /^Error: providers\.ollama-local\.options\.embed_truncate: /);
    assert.throws(() => createProviderAdapter(providerConfig('http://127.0.0.1:1', { options: { keepalive: '5m' } })), /^Error: providers\.ollama-local\.options\.keepalive: /);
  });
});

describe('OllamaAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: ProviderAdapter;

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  before(async () => {
    server = createMockProviderServer();
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = createProviderAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('sends the /api/chat body with stream: true and reads the NDJSON lines into chunks that add up to generate()', async () => {
    const text = 'Why is the sky blue?';
    const chunks = await drain(adapter.stream(chat(text), ctx('job-stream-text')));
    const { data } = await control<{ data: WireRecord[] }>('/_control/wire?limit=1');
    assert.equal(data[0].path, '/api/chat');
    assert.equal(data[0].headers.accept, 'application/x-ndjson');
    assert.deepEqual(data[0].body, { model: MODEL, messages: [{ role: 'user', content: text }], stream: true });

    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Why' });
    const generated = await adapter.generate(chat(text), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.equal(collected.created, generated.created, 'both read created_at');
    assert.deepEqual(chunks.at(-1)?.choices, []);
  });

  it('fails before the stream as generate() does', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 503}'), ctx('job-stream-503')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'overloaded');
    assert.match(error.message, /server busy/);
  });

  it('reads an {"error"} line mid-stream by its words: a 500-class failure is server_error', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_fail_after": 2}'), ctx('job-stream-fail')), seen));
    assert.equal(error.kind, 'server_error');
    assert.equal(error.message, 'ollama-local failed mid-stream: the model failed to generate a response');
    assert.equal(collectStream(seen).choices[0].message.content, 'one two');
  });

  it('reads a stream that ends without its done line as bad_response', async () => {
    const error = await providerError(drain(adapter.stream(chat('one two #mock{"stream_truncate_after": 2}'), ctx('job-stream-cut'))));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.message, 'ollama-local ended the stream before its final event');
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

describe('Ollama streams the mock does not produce', () => {
  let upstream: Server;
  let adapter: ProviderAdapter;
  let nextBody = '';

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(nextBody);
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

  it('streams a whole tool call from its line, an id when Ollama gives none, and reads a last line without its newline', async () => {
    // The streamed tool call of Ollama's tool calling guide: the call arrives whole, then the done line.
    nextBody = [
      { model: 'qwen3', created_at: '2025-05-27T21:01:20.0Z', message: { role: 'assistant', content: '', thinking: 'The user wants a temperature.' }, done: false },
      { model: 'qwen3', created_at: '2025-05-27T21:01:20.1Z', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_temperature', arguments: { city: 'New York' } } }] }, done: false },
      { model: 'qwen3', created_at: '2025-05-27T21:01:20.2Z', message: { role: 'assistant', content: '' }, done: true, done_reason: 'stop', prompt_eval_count: 157, eval_count: 28 },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const chunks = await drain(adapter.stream(chat('What is the temperature in New York?', { tools: [GET_TEMPERATURE] }), ctx('job-fixture-stream-tool')));
    assert.deepEqual(chunks[0].choices[0].delta, {
      role: 'assistant',
      tool_calls: [{ index: 0, id: 'call_chatcmpl-job-fixture-stream-tool_0', type: 'function', function: { name: 'get_temperature', arguments: '{"city":"New York"}' } }],
    });
    const collected = collectStream(chunks);
    assert.equal(collected.choices[0].finish_reason, 'tool_calls');
    assert.equal(collected.choices[0].message.content, null);
    assert.deepEqual(collected.usage, { prompt_tokens: 157, completion_tokens: 28, total_tokens: 185 });
  });

  it('reads a line that is not JSON, such as one cut mid-way, as bad_response', async () => {
    nextBody = `${JSON.stringify({ model: 'qwen3', message: { role: 'assistant', content: 'Hi' }, done: false })}\n{"model":"qwen3","mess`;
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('hi'), ctx('job-fixture-stream-cut')), seen));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.body, '{"model":"qwen3","mess');
    assert.equal(seen.length, 1);
  });
});
