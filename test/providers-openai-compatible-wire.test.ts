import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { ALL_CHAT_FEATURES, OPENAI_COMPATIBLE_PRESETS, OpenAICompatibleAdapter, ProviderError, collectStream, providerFamily } from '@switchyard/providers';
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
  IMAGE_DATA_URL,
  SYSTEM_PROMPT,
  WEATHER_ARGUMENTS,
  WEATHER_TOOL,
  WORLD_SERIES_TURNS,
  imageMessage,
  toolResultTurns,
} from './support/openai-fixtures';
import { waitFor } from './support/wait';

const KEY = 'sk-compat-wire-test-0123456789abcdef';

function chat(extra: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>): ChatRequest {
  return { model: 'public-model-name', ...extra };
}

function say(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return chat({ messages: [{ role: 'user', content: text }], ...extra });
}

interface TestContext {
  model: string;
  signal: AbortSignal;
  jobId: string;
  warnings: string[];
  warn(message: string): void;
}

function ctx(jobId: string, model = 'served-model', signal: AbortSignal = new AbortController().signal): TestContext {
  const warnings: string[] = [];
  return { model, signal, jobId, warnings, warn: (message) => warnings.push(message) };
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

function config(name: string, options: Record<string, unknown>, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name, type: 'openai-compatible', apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options, ...overrides };
}

describe('openai-compatible family', () => {
  it('is registered with embeddings; the family set is the union over the presets', () => {
    const family = providerFamily('openai-compatible');
    assert.equal(family.embeddings, true);
    assert.deepEqual([...family.chatFeatures].sort(), [...ALL_CHAT_FEATURES].sort());
  });

  it('gives each hosted preset its documented endpoint and leaves self-hosted ones without', () => {
    const endpoints = Object.fromEntries(Object.entries(OPENAI_COMPATIBLE_PRESETS).map(([name, preset]) => [name, preset.baseUrl ?? null]));
    assert.deepEqual(endpoints, {
      vllm: null,
      ollama: null,
      groq: 'https://api.groq.com/openai/v1',
      together: 'https://api.together.xyz/v1',
      fireworks: 'https://api.fireworks.ai/inference/v1',
      deepseek: 'https://api.deepseek.com',
      openrouter: 'https://openrouter.ai/api/v1',
      mistral: 'https://api.mistral.ai/v1',
    });
    return new OpenAICompatibleAdapter(config('groq', { preset: 'groq' })).close();
  });

  it('refuses a bad configuration with the key path', () => {
    assert.throws(() => new OpenAICompatibleAdapter(config('local', { preset: 'vllm' })), /^Error: providers\.local\.base_url: is required for preset vllm/);
    assert.throws(() => new OpenAICompatibleAdapter(config('local', {})), /^Error: providers\.local\.base_url: is required without a preset/);
    assert.throws(() => new OpenAICompatibleAdapter(config('x', { preset: 'llamacpp' })), /^Error: providers\.x\.options\.preset: /);
    assert.throws(() => new OpenAICompatibleAdapter(config('x', { preset: 'groq', features: ['telepathy'] })), /^Error: providers\.x\.options\.features\.0: /);
    assert.throws(() => new OpenAICompatibleAdapter(config('x', { preset: 'groq', safe_prompt: true })), /^Error: providers\.x\.options\.safe_prompt: only applies to preset mistral/);
    assert.throws(() => new OpenAICompatibleAdapter(config('x', { preset: 'groq', referer: 'a' })), /^Error: providers\.x\.options\.referer: is not an option/);
  });
});

describe('OpenAICompatibleAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  const adapters: OpenAICompatibleAdapter[] = [];

  /** An adapter for `preset` pointed at the mock's route for that server. */
  function adapter(preset: string | undefined, options: Record<string, unknown> = {}, overrides: Partial<ProviderConfig> = {}): OpenAICompatibleAdapter {
    const server = preset ?? 'plain';
    const created = new OpenAICompatibleAdapter(
      config(server, { ...(preset ? { preset } : {}), ...options }, { baseUrl: `${baseUrl}/compat/${server}/v1`, ...overrides }),
    );
    adapters.push(created);
    return created;
  }

  async function sent(jobId: string, server: string, operation = 'chat/completions'): Promise<WireRecord> {
    const record = await wireFor(baseUrl, jobId);
    assert.equal(record.method, 'POST');
    assert.equal(record.path, `/compat/${server}/v1/${operation}`);
    assert.equal(record.headers.authorization, `Bearer ${KEY}`);
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
  });

  after(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await server.close();
  });

  describe('the scenarios, through the preset that rewrites most (mistral)', () => {
    let mistral: OpenAICompatibleAdapter;
    before(() => {
      mistral = adapter('mistral', { safe_prompt: true });
    });

    it('plain chat: the routed model, the message and safe_prompt; the answer normalized', async () => {
      const completion = await mistral.generate(say('Hello!'), ctx('cmp-plain'));
      assert.deepEqual((await sent('cmp-plain', 'mistral')).body, { model: 'served-model', messages: [{ role: 'user', content: 'Hello!' }], safe_prompt: true });
      assert.deepEqual(completion.choices, [
        { index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null }, finish_reason: 'stop', logprobs: null },
      ]);
      assert.deepEqual(completion.usage, { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
    });

    it('system prompt and parameters: seed becomes random_seed, max_completion_tokens max_tokens, user is dropped', async () => {
      const context = ctx('cmp-system');
      const request = chat({
        messages: [
          { role: 'system', content: SYSTEM_PROMPT },
          { role: 'user', content: 'Say this is a test' },
        ],
        temperature: 0.2,
        top_p: 0.9,
        max_completion_tokens: 3,
        seed: 42,
        n: 2,
        user: 'user-1234',
      });
      const completion = await mistral.generate(request, context);
      assert.deepEqual((await sent('cmp-system', 'mistral')).body, {
        model: 'served-model',
        messages: request.messages,
        temperature: 0.2,
        top_p: 0.9,
        n: 2,
        random_seed: 42,
        max_tokens: 3,
        safe_prompt: true,
      });
      assert.deepEqual(context.warnings, ['mistral does not support user; dropped']);
      assert.deepEqual(
        completion.choices.map((choice) => [choice.message.content, choice.finish_reason]),
        [
          ['Say this is', 'length'],
          ['Say this is', 'length'],
        ],
      );
    });

    it('multi-turn and image input go out untouched', async () => {
      await mistral.generate(chat({ messages: WORLD_SERIES_TURNS }), ctx('cmp-turns'));
      assert.deepEqual((await sent('cmp-turns', 'mistral')).body, { model: 'served-model', messages: WORLD_SERIES_TURNS, safe_prompt: true });
      const message = imageMessage("What's in this image?");
      const completion = await mistral.generate(chat({ messages: [message] }), ctx('cmp-image'));
      assert.deepEqual((await sent('cmp-image', 'mistral')).body, { model: 'served-model', messages: [message], safe_prompt: true });
      assert.equal(completion.choices[0].message.content, "What's in this image?");
    });

    it('tools: a forced call comes back as tool_calls; the tool-result turn goes out as given', async () => {
      const question = `What's the weather like in Boston today? #mock${JSON.stringify({ text: WEATHER_ARGUMENTS })}`;
      const request = say(question, { tools: [WEATHER_TOOL], tool_choice: 'required', parallel_tool_calls: false });
      const completion = await mistral.generate(request, ctx('cmp-tool-call'));
      assert.deepEqual((await sent('cmp-tool-call', 'mistral')).body, { ...request, model: 'served-model', safe_prompt: true });
      const [choice] = completion.choices;
      assert.equal(choice.finish_reason, 'tool_calls');
      const [call] = choice.message.tool_calls ?? [];
      assert.match(call.id, /^call_/);
      assert.deepEqual(call.function, { name: 'get_current_weather', arguments: WEATHER_ARGUMENTS });

      const turns = toolResultTurns("What's the weather like in Boston today?", call.id);
      await mistral.generate(chat({ messages: turns, tools: [WEATHER_TOOL] }), ctx('cmp-tool-result'));
      assert.deepEqual((await sent('cmp-tool-result', 'mistral')).body, { model: 'served-model', messages: turns, tools: [WEATHER_TOOL], safe_prompt: true });
    });

    it('JSON schema output and stop sequences', async () => {
      const text = `Alice and Bob are going to a science fair on Friday. #mock${JSON.stringify({ text: CALENDAR_EVENT_JSON })}`;
      const structured = await mistral.generate(say(text, { response_format: CALENDAR_EVENT_FORMAT }), ctx('cmp-json'));
      assert.deepEqual((await sent('cmp-json', 'mistral')).body, {
        model: 'served-model',
        messages: [{ role: 'user', content: text }],
        response_format: CALENDAR_EVENT_FORMAT,
        safe_prompt: true,
      });
      assert.deepEqual(JSON.parse(structured.choices[0].message.content ?? ''), { name: 'science fair', date: 'Friday', participants: ['Alice', 'Bob'] });

      const stopped = await mistral.generate(say('Count. #mock{"text": "one two END three"}', { stop: ['END'] }), ctx('cmp-stop'));
      assert.deepEqual((await sent('cmp-stop', 'mistral')).body, {
        model: 'served-model',
        messages: [{ role: 'user', content: 'Count. #mock{"text": "one two END three"}' }],
        stop: ['END'],
        safe_prompt: true,
      });
      assert.equal(stopped.choices[0].message.content, 'one two ');
    });
  });

  it('without a preset the server is plain OpenAI: every field goes out as given', async () => {
    const request = say('Hi', { user: 'user-1', seed: 7, n: 2, max_completion_tokens: 9, parallel_tool_calls: true, tools: [WEATHER_TOOL] });
    await adapter(undefined).generate(request, ctx('cmp-plain-openai'));
    assert.deepEqual((await sent('cmp-plain-openai', 'plain')).body, { ...request, model: 'served-model' });
  });

  it('vllm: user and parallel_tool_calls, which vLLM ignores, are dropped with a warning', async () => {
    const context = ctx('cmp-vllm');
    await adapter('vllm').generate(say('Hi', { user: 'u', parallel_tool_calls: false, tools: [WEATHER_TOOL], seed: 1 }), context);
    assert.deepEqual((await sent('cmp-vllm', 'vllm')).body, { model: 'served-model', messages: [{ role: 'user', content: 'Hi' }], tools: [WEATHER_TOOL], seed: 1 });
    assert.deepEqual(context.warnings, ['vllm does not support user, parallel_tool_calls; dropped']);
  });

  it("vllm's own error bodies are classified, the worded context-length refusal included", async () => {
    const vllm = adapter('vllm');
    const cases: Array<[string, string]> = [
      ['{"status": 400, "error_code": "context_length_exceeded"}', 'context_length_exceeded'],
      ['{"status": 400}', 'invalid_request'],
      ['{"status": 404}', 'not_found'],
      ['{"status": 500}', 'server_error'],
      ['{"status": 503}', 'overloaded'],
    ];
    for (const [directive, kind] of cases) {
      const error = await providerError(vllm.generate(say(`#mock${directive}`), ctx(`cmp-vllm-${directive}`)));
      assert.equal(error.kind, kind, directive);
    }
    const limited = await providerError(vllm.generate(say('#mock{"status": 429, "retry_after_s": 2}'), ctx('cmp-vllm-429')));
    assert.equal(limited.kind, 'rate_limited');
    assert.equal(limited.retryAfterMs, 2000);

    const wrongKey = 'vllm-token-without-any-prefix';
    const denied = await providerError(adapter('vllm', {}, { apiKey: wrongKey }).generate(say('hi'), ctx('cmp-vllm-401')));
    assert.equal(denied.kind, 'authentication');
    assert.match(denied.message, /^vllm answered 401: Unauthorized$/);
    const seen = [denied.message, denied.body ?? '', JSON.stringify(denied), String(denied.stack)].join('\n');
    assert.ok(!seen.includes(wrongKey), `the key leaked: ${seen}`);
  });

  it('groq: n > 1 is refused before any call; message names are dropped with a warning', async () => {
    const groq = adapter('groq');
    const refused = await providerError(groq.generate(say('Hi', { n: 2 }), ctx('cmp-groq-n')));
    assert.equal(refused.kind, 'invalid_request');
    assert.match(refused.message, /^groq does not support: n$/);
    assert.deepEqual(await recordsFor('cmp-groq-n'), []);

    const context = ctx('cmp-groq-name');
    await groq.generate(chat({ messages: [{ role: 'user', name: 'alice', content: 'Hi' }] }), context);
    assert.deepEqual((await sent('cmp-groq-name', 'groq')).body, { model: 'served-model', messages: [{ role: 'user', content: 'Hi' }] });
    assert.deepEqual(context.warnings, ['groq (preset groq) does not take messages[].name; dropped']);
  });

  it('deepseek: images and json_schema are refused, seed dropped; cache hits become cached_tokens', async () => {
    const deepseek = adapter('deepseek');
    const images = await providerError(deepseek.generate(chat({ messages: [imageMessage('What is this?')] }), ctx('cmp-ds-image')));
    assert.match(images.message, /^deepseek does not support: images$/);
    const schema = await providerError(deepseek.generate(say('Hi', { response_format: CALENDAR_EVENT_FORMAT }), ctx('cmp-ds-schema')));
    assert.match(schema.message, /^deepseek does not support: json_schema$/);

    const context = ctx('cmp-ds');
    const completion = await deepseek.generate(say('Hello there', { seed: 3, max_completion_tokens: 10, response_format: { type: 'json_object' } }), context);
    assert.deepEqual((await sent('cmp-ds', 'deepseek')).body, {
      model: 'served-model',
      messages: [{ role: 'user', content: 'Hello there' }],
      response_format: { type: 'json_object' },
      max_tokens: 10,
    });
    assert.deepEqual(context.warnings, ['deepseek does not support seed; dropped']);
    assert.deepEqual(completion.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5, prompt_tokens_details: { cached_tokens: 0 } });
  });

  it('deepseek: a context-length refusal under a generic code is still context_length_exceeded; no embeddings API', async () => {
    const deepseek = adapter('deepseek');
    const error = await providerError(deepseek.generate(say('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('cmp-ds-ctx')));
    assert.equal(error.kind, 'context_length_exceeded');
    assert.equal(error.fallback, false);
    const embed = await providerError(deepseek.embed({ model: 'e', input: 'hi' }, ctx('cmp-ds-embed')));
    assert.equal(embed.kind, 'invalid_request');
    assert.match(embed.message, /^deepseek \(preset deepseek\) has no embeddings API$/);
  });

  it('ollama: images only as data: URLs, tool_choice refused, max_completion_tokens sent as max_tokens', async () => {
    const ollama = adapter('ollama');
    const linked = await providerError(ollama.generate(chat({ messages: [imageMessage('What is this?')] }), ctx('cmp-ol-link')));
    assert.equal(linked.kind, 'invalid_request');
    assert.match(linked.message, /takes images only as base64 data: URLs/);
    const choice = await providerError(ollama.generate(say('Hi', { tools: [WEATHER_TOOL], tool_choice: 'auto' }), ctx('cmp-ol-choice')));
    assert.match(choice.message, /^ollama does not support: tool_choice$/);

    const inline = chat({
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: IMAGE_DATA_URL } }] }],
      max_completion_tokens: 20,
    });
    await ollama.generate(inline, ctx('cmp-ol'));
    assert.deepEqual((await sent('cmp-ol', 'ollama')).body, { model: 'served-model', messages: inline.messages, max_tokens: 20 });
  });

  it('openrouter: the app headers from options go on every request; n is refused', async () => {
    const openrouter = adapter('openrouter', { http_referer: 'https://switchyard.example', app_title: 'Switchyard' });
    await openrouter.generate(say('Hi'), ctx('cmp-or'));
    const record = await sent('cmp-or', 'openrouter');
    assert.equal(record.headers['http-referer'], 'https://switchyard.example');
    assert.equal(record.headers['x-title'], 'Switchyard');
    const refused = await providerError(openrouter.generate(say('Hi', { n: 3 }), ctx('cmp-or-n')));
    assert.match(refused.message, /^openrouter does not support: n$/);
  });

  it('options.features replaces the preset set', async () => {
    const deepseek = adapter('deepseek', { features: ['images', 'temperature'] });
    await deepseek.generate(chat({ messages: [imageMessage('What is this?')], temperature: 0 }), ctx('cmp-features'));
    const body = (await sent('cmp-features', 'deepseek')).body as { temperature: number };
    assert.equal(body.temperature, 0);
  });

  it('embeddings: floats and base64 from vllm; ollama drops user; together refuses dimensions', async () => {
    const vllm = adapter('vllm');
    const floats = await vllm.embed({ model: 'e', input: [EMBEDDING_INPUT, 'second'], encoding_format: 'float' }, ctx('cmp-embed', 'BAAI/bge-m3'));
    assert.deepEqual((await sent('cmp-embed', 'vllm', 'embeddings')).body, { model: 'BAAI/bge-m3', input: [EMBEDDING_INPUT, 'second'], encoding_format: 'float' });
    assert.deepEqual(floats.data.map((item) => (item.embedding as number[]).length), [8, 8]);
    const packed = await vllm.embed({ model: 'e', input: EMBEDDING_INPUT, encoding_format: 'base64', dimensions: 4 }, ctx('cmp-embed-b64', 'BAAI/bge-m3'));
    assert.equal(Buffer.from(packed.data[0].embedding as string, 'base64').length, 16);

    const context = ctx('cmp-embed-ollama', 'nomic-embed-text');
    await adapter('ollama').embed({ model: 'e', input: 'hi', user: 'u' }, context);
    assert.deepEqual((await sent('cmp-embed-ollama', 'ollama', 'embeddings')).body, { model: 'nomic-embed-text', input: 'hi' });
    assert.deepEqual(context.warnings, ['ollama (preset ollama) embeddings do not support user; dropped']);

    const refused = await providerError(adapter('together').embed({ model: 'e', input: 'hi', dimensions: 256 }, ctx('cmp-embed-together')));
    assert.equal(refused.kind, 'invalid_request');
    assert.match(refused.message, /embeddings do not support: dimensions$/);
  });

  it('cancels a hanging call on abort, and the mock sees the connection close', async () => {
    const controller = new AbortController();
    const call = adapter('together').generate(say('#mock{"hang": true}'), ctx('cmp-abort', 'served-model', controller.signal));
    await waitFor(async () => (await recordsFor('cmp-abort')).length === 1, { message: 'the mock to receive the call' });
    controller.abort();
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await recordsFor('cmp-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
  });
});

describe('OpenAICompatibleAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  const adapters: OpenAICompatibleAdapter[] = [];

  function adapter(preset: string, options: Record<string, unknown> = {}): OpenAICompatibleAdapter {
    const created = new OpenAICompatibleAdapter(config(preset, { preset, ...options }, { baseUrl: `${baseUrl}/compat/${preset}/v1` }));
    adapters.push(created);
    return created;
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  });

  after(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await server.close();
  });

  it('every preset streams its own body with stream: true, asking for usage unless the server refuses stream_options (mistral)', async () => {
    for (const [preset, quirks] of Object.entries(OPENAI_COMPATIBLE_PRESETS)) {
      const jobId = `cmp-stream-${preset}`;
      const streaming = adapter(preset);
      const chunks = await drain(streaming.stream(say('stream me please', { max_completion_tokens: 10 }), ctx(jobId)));
      const { body } = await wireFor(baseUrl, jobId);
      const maxField = quirks.rename?.max_completion_tokens ?? 'max_completion_tokens';
      assert.deepEqual(
        body,
        {
          model: 'served-model',
          messages: [{ role: 'user', content: 'stream me please' }],
          [maxField]: 10,
          stream: true,
          ...(preset === 'mistral' ? {} : { stream_options: { include_usage: true } }),
        },
        preset,
      );
      const collected = collectStream(chunks);
      assert.equal(collected.choices[0].message.content, 'stream me please', preset);
      // The mock's Mistral, like Mistral, refuses stream_options with a 422 and sends usage unasked.
      assert.equal(chunks.at(-1)?.usage?.completion_tokens, 3, preset);
    }
  });

  it("reads vLLM's pre-stream error body and a mid-stream error event", async () => {
    const vllm = adapter('vllm');
    const context = await providerError(drain(vllm.stream(say('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('cmp-stream-ctx'))));
    assert.equal(context.kind, 'context_length_exceeded');
    const seen: ChatCompletionChunk[] = [];
    const failed = await providerError(drain(vllm.stream(say('one two three #mock{"stream_fail_after": 2}'), ctx('cmp-stream-fail')), seen));
    assert.equal(failed.kind, 'server_error');
    assert.equal(seen.length, 2);
  });

  it('stops reading on abort and closes the connection, which the mock sees', async () => {
    const controller = new AbortController();
    const iterator = adapter('groq').stream(say('one two #mock{"stream_stall_after": 1}'), ctx('cmp-stream-abort', 'served-model', controller.signal))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
    await waitFor(async () => (await recordsFor('cmp-stream-abort'))[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });
});
