import { PROVIDER_DEFAULTS } from './support';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatRequest } from '@switchyard/contracts';
import { OpenAIAdapter, ProviderError } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { wireFor } from './support/mock-wire';
import {
  CALENDAR_EVENT_FORMAT,
  CALENDAR_EVENT_JSON,
  EMBEDDING_INPUT,
  IMAGE_DATA_URL,
  IMAGE_URL,
  SYSTEM_PROMPT,
  WEATHER_ARGUMENTS,
  WEATHER_TOOL,
  WORLD_SERIES_TURNS,
  imageMessage,
  toolResultTurns,
} from './support/openai-fixtures';

const KEY = 'sk-scenario-test-0123456789abcdef';
const MODEL = 'gpt-4o-mini';

function chat(extra: Partial<ChatRequest> & Pick<ChatRequest, 'messages'>): ChatRequest {
  return { model: 'public-model-name', ...extra };
}

function ctx(jobId: string, model = MODEL) {
  return { model, signal: new AbortController().signal, jobId, warn: () => undefined };
}

function config(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'openai-primary', type: 'openai', baseUrl, apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
}

function assertOpenAIRequest(record: WireRecord, path: string): void {
  assert.equal(record.method, 'POST');
  assert.equal(record.path, path);
  assert.equal(record.query, '');
  assert.equal(record.headers.authorization, `Bearer ${KEY}`);
  assert.equal(record.headers['content-type'], 'application/json');
  assert.equal(record.headers.accept, 'application/json');
}

describe('OpenAI scenarios: the exact request sent and the normalized answer', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: OpenAIAdapter;

  async function sentChat(jobId: string): Promise<unknown> {
    const record = await wireFor(baseUrl, jobId);
    assertOpenAIRequest(record, '/v1/chat/completions');
    return record.body;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new OpenAIAdapter(config(`${baseUrl}/v1`));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('plain chat: sends the routed model and the message, normalizes the answer and usage', async () => {
    const completion = await adapter.generate(chat({ messages: [{ role: 'user', content: 'Hello!' }] }), ctx('scn-plain'));
    assert.deepEqual(await sentChat('scn-plain'), { model: MODEL, messages: [{ role: 'user', content: 'Hello!' }] });
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, MODEL);
    assert.deepEqual(completion.choices, [
      { index: 0, message: { role: 'assistant', content: 'Hello!', refusal: null }, finish_reason: 'stop', logprobs: null },
    ]);
    assert.deepEqual(completion.usage, { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 });
  });

  it('system prompt and sampling parameters go out as given; n copies the choice', async () => {
    const request = chat({
      messages: [
        { role: 'system', content: SYSTEM_PROMPT },
        { role: 'user', content: 'Say this is a test' },
      ],
      temperature: 0.2,
      top_p: 0.9,
      max_completion_tokens: 50,
      seed: 42,
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.1,
      user: 'user-1234',
    });
    const completion = await adapter.generate(request, ctx('scn-system'));
    assert.deepEqual(await sentChat('scn-system'), { ...request, model: MODEL });
    assert.deepEqual(
      completion.choices.map((choice) => [choice.index, choice.message.content, choice.finish_reason]),
      [
        [0, 'Say this is a test', 'stop'],
        [1, 'Say this is a test', 'stop'],
      ],
    );
    assert.equal(completion.usage.completion_tokens, 10);
  });

  it('multi-turn: every turn goes out in order; the answer follows the last user turn', async () => {
    const completion = await adapter.generate(chat({ messages: WORLD_SERIES_TURNS }), ctx('scn-turns'));
    assert.deepEqual(await sentChat('scn-turns'), { model: MODEL, messages: WORLD_SERIES_TURNS });
    assert.equal(completion.choices[0].message.content, 'Where was it played?');
  });

  it('image input: text and image parts (a URL and a base64 data URL with detail) go out untouched', async () => {
    const message = imageMessage("What's in this image?");
    const completion = await adapter.generate(chat({ messages: [message] }), ctx('scn-image'));
    assert.deepEqual(await sentChat('scn-image'), {
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: "What's in this image?" },
            { type: 'image_url', image_url: { url: IMAGE_URL } },
            { type: 'image_url', image_url: { url: IMAGE_DATA_URL, detail: 'low' } },
          ],
        },
      ],
    });
    assert.equal(completion.choices[0].message.content, "What's in this image?");
  });

  it('tools: a forced call comes back as tool_calls, and the tool-result turn goes out with the call and its result', async () => {
    const question = `What's the weather like in Boston today? #mock${JSON.stringify({ text: WEATHER_ARGUMENTS })}`;
    const request = chat({ messages: [{ role: 'user', content: question }], tools: [WEATHER_TOOL], tool_choice: 'required', parallel_tool_calls: false });
    const completion = await adapter.generate(request, ctx('scn-tool-call'));
    assert.deepEqual(await sentChat('scn-tool-call'), { ...request, model: MODEL });
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls?.length, 1);
    const [call] = choice.message.tool_calls ?? [];
    assert.match(call.id, /^call_/);
    assert.deepEqual({ type: call.type, function: call.function }, { type: 'function', function: { name: 'get_current_weather', arguments: WEATHER_ARGUMENTS } });

    const turns = toolResultTurns("What's the weather like in Boston today?", call.id);
    const followUp = chat({ messages: turns, tools: [WEATHER_TOOL] });
    const answer = await adapter.generate(followUp, ctx('scn-tool-result'));
    assert.deepEqual(await sentChat('scn-tool-result'), { model: MODEL, messages: turns, tools: [WEATHER_TOOL] });
    assert.equal(answer.choices[0].finish_reason, 'stop');
    assert.equal(answer.choices[0].message.tool_calls, undefined);
  });

  it('JSON schema output: response_format goes out as given and the JSON answer comes back intact', async () => {
    const request = chat({
      messages: [
        { role: 'system', content: 'Extract the event information.' },
        { role: 'user', content: `Alice and Bob are going to a science fair on Friday. #mock${JSON.stringify({ text: CALENDAR_EVENT_JSON })}` },
      ],
      response_format: CALENDAR_EVENT_FORMAT,
    });
    const completion = await adapter.generate(request, ctx('scn-json-schema'));
    assert.deepEqual(await sentChat('scn-json-schema'), { ...request, model: MODEL });
    assert.deepEqual(JSON.parse(completion.choices[0].message.content ?? ''), { name: 'science fair', date: 'Friday', participants: ['Alice', 'Bob'] });

    const jsonObject = chat({ messages: [{ role: 'user', content: 'Reply in JSON. #mock{"text": "{\\"ok\\": true}"}' }], response_format: { type: 'json_object' } });
    const answer = await adapter.generate(jsonObject, ctx('scn-json-object'));
    assert.deepEqual(await sentChat('scn-json-object'), { ...jsonObject, model: MODEL });
    assert.deepEqual(JSON.parse(answer.choices[0].message.content ?? ''), { ok: true });
  });

  it('stop sequences: sent as given; the reply ends before the first one, finish_reason stop', async () => {
    const request = chat({ messages: [{ role: 'user', content: 'Count. #mock{"text": "one two END three"}' }], stop: ['END', '\n\n'] });
    const completion = await adapter.generate(request, ctx('scn-stop'));
    assert.deepEqual(await sentChat('scn-stop'), { ...request, model: MODEL });
    assert.equal(completion.choices[0].message.content, 'one two ');
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });

  it('embeddings as floats: POST /v1/embeddings with the routed model, one vector per input', async () => {
    const embeddings = await adapter.embed(
      { model: 'public-embedding-name', input: [EMBEDDING_INPUT, 'A second input'], encoding_format: 'float' },
      ctx('scn-embed-float', 'text-embedding-3-small'),
    );
    const record = await wireFor(baseUrl, 'scn-embed-float');
    assertOpenAIRequest(record, '/v1/embeddings');
    assert.deepEqual(record.body, { model: 'text-embedding-3-small', input: [EMBEDDING_INPUT, 'A second input'], encoding_format: 'float' });
    assert.equal(embeddings.object, 'list');
    assert.equal(embeddings.model, 'text-embedding-3-small');
    assert.deepEqual(
      embeddings.data.map((item) => [item.object, item.index, Array.isArray(item.embedding) ? item.embedding.length : 'not floats']),
      [
        ['embedding', 0, 8],
        ['embedding', 1, 8],
      ],
    );
    assert.ok(embeddings.usage.prompt_tokens > 0);
    assert.equal(embeddings.usage.total_tokens, embeddings.usage.prompt_tokens);
  });

  it('embeddings as base64: the string decodes to the same little-endian float32 vector', async () => {
    const floats = await adapter.embed({ model: 'e', input: EMBEDDING_INPUT, dimensions: 4 }, ctx('scn-embed-f', 'text-embedding-3-small'));
    const packed = await adapter.embed({ model: 'e', input: EMBEDDING_INPUT, dimensions: 4, encoding_format: 'base64' }, ctx('scn-embed-b64', 'text-embedding-3-small'));
    assert.deepEqual((await wireFor(baseUrl, 'scn-embed-b64')).body, {
      model: 'text-embedding-3-small',
      input: EMBEDDING_INPUT,
      dimensions: 4,
      encoding_format: 'base64',
    });
    const encoded = packed.data[0].embedding;
    assert.equal(typeof encoded, 'string');
    const bytes = Buffer.from(encoded as string, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    const expected = floats.data[0].embedding as number[];
    assert.equal(decoded.length, 4);
    decoded.forEach((value, i) => assert.ok(Math.abs(value - expected[i]) < 1e-6, `component ${i}`));
  });

  it('embeddings failures are classified like chat ones and never carry the key', async () => {
    const limited = await adapter.embed({ model: 'e', input: '#mock{"status": 429, "retry_after_s": 3}' }, ctx('scn-embed-429')).catch((e: unknown) => e);
    assert.ok(limited instanceof ProviderError);
    assert.equal(limited.kind, 'rate_limited');
    assert.equal(limited.retryAfterMs, 3000);

    const wrongKey = 'sk-wrong-embedding-key-0123456789';
    const other = new OpenAIAdapter(config(`${baseUrl}/v1`, { apiKey: wrongKey }));
    try {
      const error = await other.embed({ model: 'e', input: 'hi' }, ctx('scn-embed-401')).catch((e: unknown) => e);
      assert.ok(error instanceof ProviderError);
      assert.equal(error.kind, 'authentication');
      const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
      assert.ok(!seen.includes(wrongKey), `the key leaked: ${seen}`);
    } finally {
      await other.close();
    }
  });
});
