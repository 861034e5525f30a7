import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest, FunctionTool } from '@switchyard/contracts';
import { GeminiAdapter, MockAdapter, PROVIDER_FAMILIES, ProviderError, collectStream, mockEmbeddings, type ProviderAdapter } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { wireFor } from './support/mock-wire';
import { waitFor } from './support/wait';

/** Google keys start with AIza, a shape scrubSecrets does not know: only the exact-value redaction can catch it. */
const KEY = 'AIzaSyWireTest0123456789abcdefghijklmno';
/** Sent by the HTTP stack, not chosen by the adapter. */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length']);
const UNSIGNED_THOUGHT = 'skip_thought_signature_validator';

// Fixtures follow the Gemini API's documented examples (function calling, structured output, vision).
const TEMPERATURE_TOOL: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_current_temperature',
    description: 'Gets the current temperature for a given location.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string', description: 'The city name, e.g. San Francisco' } },
      required: ['location'],
    },
  },
};
const RECIPE_SCHEMA = {
  type: 'object',
  properties: {
    recipe_name: { type: 'string' },
    ingredients: { type: 'array', items: { type: 'string' } },
  },
  required: ['recipe_name', 'ingredients'],
  additionalProperties: false,
};
const JPEG_BASE64 = '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=';

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-model-name', messages: [{ role: 'user', content: text }], ...extra };
}

function providerConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'gemini-primary', type: 'gemini', baseUrl, apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
}

interface TestContext {
  model: string;
  signal: AbortSignal;
  jobId: string;
  warnings: string[];
  warn(message: string): void;
}

function ctx(jobId: string, extra: { signal?: AbortSignal; model?: string } = {}): TestContext {
  const warnings: string[] = [];
  return { model: extra.model ?? 'echo', signal: extra.signal ?? new AbortController().signal, jobId, warnings, warn: (m) => warnings.push(m) };
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

function adapterHeaders(record: WireRecord): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
}

describe('GeminiAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: GeminiAdapter;
  const extraAdapters: ProviderAdapter[] = [];

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    return (await control<{ data: RequestRecord[] }>(`/_control/requests?request_id=${encodeURIComponent(jobId)}`)).data;
  }

  /** The request the adapter sent for this job, exactly as the mock received it. */
  async function wireFor(jobId: string): Promise<WireRecord> {
    const { data } = await control<{ data: WireRecord[] }>('/_control/wire?limit=500');
    const records = data.filter((record) => record.headers['x-client-request-id'] === jobId);
    assert.equal(records.length, 1, `expected one request for ${jobId}`);
    return records[0];
  }

  function assertGeminiCall(record: WireRecord, jobId: string, expected: { path?: string; key?: string | null } = {}): void {
    const { path = '/v1beta/models/echo:generateContent', key = KEY } = expected;
    assert.equal(record.method, 'POST');
    assert.equal(record.path, path);
    // The key travels only in its header: a URL ends up in logs.
    assert.equal(record.query, '');
    assert.deepEqual(adapterHeaders(record), {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-client-request-id': jobId,
      ...(key === null ? {} : { 'x-goog-api-key': key }),
    });
  }

  function extraAdapter(overrides: Partial<ProviderConfig>): GeminiAdapter {
    const created = new GeminiAdapter(providerConfig(baseUrl, overrides));
    extraAdapters.push(created);
    return created;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new GeminiAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await Promise.all([adapter, ...extraAdapters].map((a) => a.close()));
    await server.close();
  });

  it('is registered as the gemini family, with embeddings and without user or parallel_tool_calls', () => {
    const family = PROVIDER_FAMILIES.gemini;
    assert.ok(family.create(providerConfig(baseUrl)) instanceof GeminiAdapter);
    assert.equal(family.embeddings, true);
    assert.equal(family.chatFeatures.has('user'), false);
    assert.equal(family.chatFeatures.has('parallel_tool_calls'), false);
    for (const feature of ['tools', 'tool_choice', 'json_object', 'json_schema', 'images', 'n', 'stop', 'seed'] as const) {
      assert.ok(family.chatFeatures.has(feature), feature);
    }
  });

  it('sends a plain chat to generateContent with the key in x-goog-api-key and normalizes the answer', async () => {
    const completion = await adapter.generate(chat('hello wire'), ctx('job-plain'));
    const record = await wireFor('job-plain');
    assertGeminiCall(record, 'job-plain');
    assert.deepEqual(record.body, { contents: [{ role: 'user', parts: [{ text: 'hello wire' }] }] });

    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'echo');
    assert.equal(typeof completion.id, 'string');
    assert.deepEqual(completion.choices, [
      { index: 0, message: { role: 'assistant', content: 'hello wire', refusal: null }, finish_reason: 'stop', logprobs: null },
    ]);
    assert.deepEqual(completion.usage, { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 });
    const [logged] = await recordsFor('job-plain');
    // The mock answers 200 only to the exact key, so the status proves it arrived intact.
    assert.equal(logged.status, 200);
    assert.equal(logged.has_authorization, true);
  });

  it('answers exactly like the in-process MockAdapter', async () => {
    const mock = new MockAdapter({ ...PROVIDER_DEFAULTS, name: 'mock', type: 'mock', timeoutMs: 1000, concurrency: 1, options: {} });
    const same = chat('write #mock{"tokens": 7}', { max_tokens: 5 });
    const overHttp = await adapter.generate(same, ctx('job-same', { model: 'lorem' }));
    const inProcess = await mock.generate(same, ctx('job-same-local', { model: 'lorem' }));
    assert.deepEqual(overHttp.choices, inProcess.choices);
    assert.deepEqual(overHttp.usage, inProcess.usage);
    assert.equal(overHttp.choices[0].finish_reason, 'length');
  });

  it('puts system and developer messages in systemInstruction', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'system', content: 'You are a cat. Your name is Neko.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in one line.' }] },
        { role: 'user', content: 'Good morning! How are you?' },
      ],
    };
    const completion = await adapter.generate(request, ctx('job-system'));
    assert.deepEqual((await wireFor('job-system')).body, {
      systemInstruction: { parts: [{ text: 'You are a cat. Your name is Neko.' }, { text: 'Answer in one line.' }] },
      contents: [{ role: 'user', parts: [{ text: 'Good morning! How are you?' }] }],
    });
    assert.equal(completion.choices[0].message.content, 'Good morning! How are you?');
  });

  it('maps a multi-turn conversation to user and model turns', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Great to meet you. What would you like to know?' },
        { role: 'user', content: 'I have two dogs in my house.' },
        { role: 'user', content: 'How many paws are in my house?' },
      ],
    };
    const completion = await adapter.generate(request, ctx('job-turns'));
    assert.deepEqual((await wireFor('job-turns')).body, {
      contents: [
        { role: 'user', parts: [{ text: 'Hello' }] },
        { role: 'model', parts: [{ text: 'Great to meet you. What would you like to know?' }] },
        // Adjacent user messages become one turn.
        { role: 'user', parts: [{ text: 'I have two dogs in my house.' }, { text: 'How many paws are in my house?' }] },
      ],
    });
    // The mock echoes the last user turn, which is now both texts.
    assert.equal(completion.choices[0].message.content, 'I have two dogs in my house.\nHow many paws are in my house?');
  });

  it('sends base64 data URLs as inlineData and other URLs as fileData', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Caption these images.' },
            { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${JPEG_BASE64}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/images/scones.PNG?size=large', detail: 'high' } },
            { type: 'image_url', image_url: { url: 'https://example.com/render?id=7' } },
          ],
        },
      ],
    };
    const completion = await adapter.generate(request, ctx('job-images'));
    assert.deepEqual((await wireFor('job-images')).body, {
      contents: [
        {
          role: 'user',
          parts: [
            { text: 'Caption these images.' },
            { inlineData: { mimeType: 'image/jpeg', data: JPEG_BASE64 } },
            { fileData: { mimeType: 'image/png', fileUri: 'https://example.com/images/scones.PNG?size=large' } },
            { fileData: { fileUri: 'https://example.com/render?id=7' } },
          ],
        },
      ],
    });
    assert.equal(completion.choices[0].message.content, 'Caption these images.');
  });

  it('sends tools with a forced choice, and reads the functionCall answer as tool_calls', async () => {
    const request = chat(`What's the temperature in London? #mock{"text": ${JSON.stringify('{"location":"London"}')}}`, {
      tools: [TEMPERATURE_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_current_temperature' } },
    });
    const completion = await adapter.generate(request, ctx('job-tool-call'));
    assert.deepEqual((await wireFor('job-tool-call')).body, {
      contents: [{ role: 'user', parts: [{ text: `What's the temperature in London? #mock{"text": ${JSON.stringify('{"location":"London"}')}}` }] }],
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_current_temperature',
              description: 'Gets the current temperature for a given location.',
              parametersJsonSchema: TEMPERATURE_TOOL.function.parameters,
            },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_current_temperature'] } },
    });
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    assert.equal(choice.message.tool_calls?.length, 1);
    const [call] = choice.message.tool_calls ?? [];
    assert.match(call.id, /^call_/);
    assert.deepEqual({ type: call.type, function: call.function }, {
      type: 'function',
      function: { name: 'get_current_temperature', arguments: '{"location":"London"}' },
    });
  });

  it('replays parallel calls as one model turn and their results as one user turn of functionResponses', async () => {
    const request: ChatRequest = {
      model: 'm',
      tools: [TEMPERATURE_TOOL],
      tool_choice: 'auto',
      messages: [
        { role: 'user', content: "What's the temperature in London and in Paris?" },
        {
          role: 'assistant',
          content: 'Let me check both.',
          tool_calls: [
            { id: 'call_london', type: 'function', function: { name: 'get_current_temperature', arguments: '{"location":"London"}' } },
            { id: 'call_paris', type: 'function', function: { name: 'get_current_temperature', arguments: '{"location":"Paris"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_london', content: '{"temperature":15,"unit":"celsius"}' },
        { role: 'tool', tool_call_id: 'call_paris', content: '18 degrees' },
      ],
    };
    const completion = await adapter.generate(request, ctx('job-tool-results'));
    const body = (await wireFor('job-tool-results')).body as { contents: unknown; toolConfig: unknown };
    assert.deepEqual(body.contents, [
      { role: 'user', parts: [{ text: "What's the temperature in London and in Paris?" }] },
      {
        role: 'model',
        parts: [
          { text: 'Let me check both.' },
          // Our tool calls cannot carry Gemini's thought signature; the first call of the turn gets Google's documented stand-in.
          { functionCall: { name: 'get_current_temperature', args: { location: 'London' } }, thoughtSignature: UNSIGNED_THOUGHT },
          { functionCall: { name: 'get_current_temperature', args: { location: 'Paris' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_current_temperature', response: { temperature: 15, unit: 'celsius' } } },
          { functionResponse: { name: 'get_current_temperature', response: { output: '18 degrees' } } },
        ],
      },
    ]);
    assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(completion.choices[0], {
      index: 0,
      message: { role: 'assistant', content: "What's the temperature in London and in Paris?", refusal: null },
      finish_reason: 'stop',
      logprobs: null,
    });
  });

  it('maps the string tool choices to function calling modes', async () => {
    const expected = { none: 'NONE', auto: 'AUTO', required: 'ANY' } as const;
    for (const [choice, mode] of Object.entries(expected)) {
      const jobId = `job-choice-${choice}`;
      await adapter.generate(chat('hi', { tools: [TEMPERATURE_TOOL], tool_choice: choice as keyof typeof expected }), ctx(jobId));
      const body = (await wireFor(jobId)).body as { toolConfig: unknown };
      assert.deepEqual(body.toolConfig, { functionCallingConfig: { mode } });
    }
  });

  it('refuses a tool result that answers no earlier call, without calling Gemini', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'tool', tool_call_id: 'call_unknown', content: '42' },
      ],
    };
    const error = await providerError(adapter.generate(request, ctx('job-orphan')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /call_unknown/);
    assert.equal((await recordsFor('job-orphan')).length, 0);
  });

  it('asks for JSON Schema output with responseJsonSchema', async () => {
    const reply = '{"recipe_name":"Chocolate Chip Cookies","ingredients":["flour","sugar"]}';
    const request = chat(`List a popular cookie recipe. #mock{"text": ${JSON.stringify(reply)}}`, {
      response_format: { type: 'json_schema', json_schema: { name: 'recipe', schema: RECIPE_SCHEMA, strict: true } },
    });
    const completion = await adapter.generate(request, ctx('job-schema'));
    const body = (await wireFor('job-schema')).body as { generationConfig: unknown };
    assert.deepEqual(body.generationConfig, { responseMimeType: 'application/json', responseJsonSchema: RECIPE_SCHEMA });
    assert.deepEqual(JSON.parse(completion.choices[0].message.content ?? ''), JSON.parse(reply));
  });

  it('asks for a JSON object with responseMimeType alone', async () => {
    await adapter.generate(chat('hi', { response_format: { type: 'json_object' } }), ctx('job-json-object'));
    const body = (await wireFor('job-json-object')).body as { generationConfig: unknown };
    assert.deepEqual(body.generationConfig, { responseMimeType: 'application/json' });
  });

  it('sends stop sequences and sampling settings in generationConfig, and reads every candidate', async () => {
    const request = chat('Tell me a story. #mock{"text": "once upon a time"}', {
      stop: ['\n\n', 'The end'],
      temperature: 0.2,
      top_p: 0.9,
      seed: 7,
      n: 2,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      max_tokens: 100,
      max_completion_tokens: 3,
    });
    const completion = await adapter.generate(request, ctx('job-config'));
    const body = (await wireFor('job-config')).body as { generationConfig: unknown };
    assert.deepEqual(body.generationConfig, {
      temperature: 0.2,
      topP: 0.9,
      seed: 7,
      candidateCount: 2,
      presencePenalty: 0.5,
      frequencyPenalty: 0.25,
      // max_completion_tokens wins over the deprecated max_tokens, as on OpenAI.
      maxOutputTokens: 3,
      stopSequences: ['\n\n', 'The end'],
    });
    assert.deepEqual(
      completion.choices.map((c) => [c.index, c.message.content, c.finish_reason]),
      [
        [0, 'once upon a', 'length'],
        [1, 'once upon a', 'length'],
      ],
    );
    assert.equal(completion.usage.completion_tokens, 6);
  });

  it('sends a single stop string as a one-element list, and the answer ends before it', async () => {
    const completion = await adapter.generate(chat('#mock{"text": "first part END second part"}', { stop: 'END' }), ctx('job-stop'));
    const body = (await wireFor('job-stop')).body as { generationConfig: unknown };
    assert.deepEqual(body.generationConfig, { stopSequences: ['END'] });
    assert.equal(completion.choices[0].message.content, 'first part ');
    assert.equal(completion.choices[0].finish_reason, 'stop');
    assert.equal(completion.usage.completion_tokens, 2);
  });

  it('drops user and parallel_tool_calls with a warning, and refuses them under unsupported_params: reject', async () => {
    const call = ctx('job-drop');
    await adapter.generate(chat('hi', { user: 'user-1234', parallel_tool_calls: false, tools: [TEMPERATURE_TOOL] }), call);
    const body = (await wireFor('job-drop')).body as Record<string, unknown>;
    assert.deepEqual(Object.keys(body).sort(), ['contents', 'tools']);
    assert.equal(call.warnings.length, 1);
    assert.match(call.warnings[0], /user, parallel_tool_calls/);

    const strict = extraAdapter({ unsupportedParams: 'reject' });
    const error = await providerError(strict.generate(chat('hi', { user: 'user-1234' }), ctx('job-reject')));
    assert.equal(error.kind, 'invalid_request');
    assert.equal((await recordsFor('job-reject')).length, 0);
  });

  it('reads the wait of a 429 from RetryInfo in the body', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.status, 429);
    assert.equal(error.retryAfterMs, 2000);
    assert.equal(error.retryable, true);
    assert.match(error.message, /^gemini-primary answered 429: You exceeded your current quota/);
    assert.match(error.body ?? '', /RESOURCE_EXHAUSTED/);

    const fractional = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 1.5}'), ctx('job-429-fraction')));
    assert.equal(fractional.retryAfterMs, 1500);
    const unsaid = await providerError(adapter.generate(chat('#mock{"status": 429}'), ctx('job-429-bare')));
    assert.equal(unsaid.retryAfterMs, undefined);
  });

  it('classifies Google canonical errors by their status', async () => {
    const expected: Array<[number, string]> = [
      [400, 'invalid_request'],
      [401, 'authentication'],
      [403, 'permission'],
      [404, 'not_found'],
      [500, 'server_error'],
      [503, 'overloaded'],
      [504, 'timeout'],
    ];
    for (const [status, kind] of expected) {
      const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}}`), ctx(`job-${status}`)));
      assert.equal(error.kind, kind, `status ${status}`);
      assert.equal(error.status, status);
    }
  });

  it('classifies the free-tier FAILED_PRECONDITION as permission, worth a fallback', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 400, "error_code": "FAILED_PRECONDITION"}'), ctx('job-precondition')));
    assert.equal(error.kind, 'permission');
    assert.equal(error.fallback, true);
    assert.equal(error.retryable, false);
  });

  it('classifies "input token count exceeds" as context_length_exceeded', async () => {
    const error = await providerError(adapter.generate(chat('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('job-ctx')));
    assert.equal(error.kind, 'context_length_exceeded');
    assert.match(error.message, /input token count \(1200293\) exceeds/);
    assert.equal(error.retryable, false);
    assert.equal(error.fallback, false);
  });

  it('turns a blocked prompt (200 with promptFeedback.blockReason) into a content_filter error', async () => {
    for (const [code, reason] of [
      ['content_filter', 'PROHIBITED_CONTENT'],
      ['SAFETY', 'SAFETY'],
    ]) {
      const jobId = `job-blocked-${code}`;
      const error = await providerError(adapter.generate(chat(`#mock{"status": 400, "error_code": "${code}"}`), ctx(jobId)));
      assert.equal(error.kind, 'content_filter');
      assert.equal(error.status, 200);
      assert.match(error.message, new RegExp(`^gemini-primary blocked the prompt \\(${reason}\\)`));
      assert.equal(error.retryable, false);
      assert.equal(error.fallback, false);
      assert.equal((await recordsFor(jobId))[0]?.status, 200);
    }
  });

  it('classifies a wrong key (400 API_KEY_INVALID) as authentication and never lets the key into the error', async () => {
    for (const key of ['AIzaSyWrongKey-ABCDEFGHIJKLMNOPQRSTUVWXYZ012', 'plain-secret-without-any-prefix']) {
      const wrongKey = extraAdapter({ apiKey: key });
      const error = await providerError(wrongKey.generate(chat('hi'), ctx(`job-key-${key.length}`)));
      assert.equal(error.kind, 'authentication');
      assert.equal(error.status, 400);
      const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
      assert.ok(!seen.includes(key), `the key leaked: ${seen}`);
      assert.ok(error.body?.includes('API key not valid'), 'the provider body is kept, scrubbed');
      assert.ok(error.body?.includes('Invalid API key: [redacted]'), 'the echoed key is replaced');
    }
  });

  it('sends no key header when none is configured, and reads the 403 as permission', async () => {
    const keyless = extraAdapter({ apiKey: undefined });
    const error = await providerError(keyless.generate(chat('hi'), ctx('job-no-key')));
    assert.equal(error.kind, 'permission');
    assertGeminiCall(await wireFor('job-no-key'), 'job-no-key', { key: null });
  });

  it('gives up after timeoutMs with kind timeout', async () => {
    const slow = extraAdapter({ timeoutMs: 200 });
    const started = Date.now();
    const error = await providerError(slow.generate(chat('#mock{"latency_ms": 5000}'), ctx('job-timeout')));
    assert.equal(error.kind, 'timeout');
    assert.ok(Date.now() - started < 2000, 'the timeout fired late');
  });

  it('cancels a hanging call on abort, and the upstream sees the connection close', async () => {
    const controller = new AbortController();
    const call = adapter.generate(chat('#mock{"hang": true}'), ctx('job-abort', { signal: controller.signal }));
    await waitFor(async () => (await recordsFor('job-abort')).length === 1, { message: 'the mock to receive the call' });
    controller.abort();
    const error = await providerError(call);
    assert.equal(error.kind, 'canceled');
    await waitFor(async () => (await recordsFor('job-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
    const stats = await control<{ aborted: number; by_request_id: Record<string, number> }>('/_control/stats');
    assert.equal(stats.by_request_id['job-abort'], 1);
  });

  it('embeds through batchEmbedContents, one request per input, in the OpenAI shape', async () => {
    const embeddings = await adapter.embed(
      { model: 'public-embedder', input: ['What is the meaning of life?', 'How does the brain work?'], dimensions: 4 },
      ctx('job-embed', { model: 'gemini-embedding-001' }),
    );
    const record = await wireFor('job-embed');
    assertGeminiCall(record, 'job-embed', { path: '/v1beta/models/gemini-embedding-001:batchEmbedContents' });
    assert.deepEqual(record.body, {
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'What is the meaning of life?' }] }, outputDimensionality: 4 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'How does the brain work?' }] }, outputDimensionality: 4 },
      ],
    });
    const expected = mockEmbeddings({ model: 'x', input: ['What is the meaning of life?', 'How does the brain work?'], dimensions: 4 }, 'x');
    assert.equal(embeddings.object, 'list');
    assert.equal(embeddings.model, 'gemini-embedding-001');
    assert.deepEqual(embeddings.data, expected.data);
    // Gemini reports no usage for embeddings: the gateway's estimate of ~3.6 characters per token.
    assert.deepEqual(embeddings.usage, { prompt_tokens: 15, total_tokens: 15 });
  });

  it('encodes embeddings as base64 float32 when asked', async () => {
    const embeddings = await adapter.embed(
      { model: 'public-embedder', input: 'hello', encoding_format: 'base64' },
      ctx('job-embed-b64', { model: 'gemini-embedding-001' }),
    );
    const record = await wireFor('job-embed-b64');
    assert.deepEqual(record.body, { requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } }] });
    const encoded = embeddings.data[0].embedding;
    assert.equal(typeof encoded, 'string');
    const bytes = Buffer.from(encoded as string, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    const floats = mockEmbeddings({ model: 'x', input: 'hello' }, 'x').data[0].embedding as number[];
    assert.deepEqual(decoded, floats.map((value) => Math.fround(value)));
  });

  it('classifies an embeddings failure the same way', async () => {
    const error = await providerError(
      adapter.embed({ model: 'e', input: ['one', 'two #mock{"status": 429, "retry_after_s": 3}'] }, ctx('job-embed-429', { model: 'gemini-embedding-001' })),
    );
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 3000);
  });

  it('follows options.api_version and accepts a full model resource name', async () => {
    const v1 = extraAdapter({ options: { api_version: 'v1' } });
    await v1.generate(chat('hi'), ctx('job-v1', { model: 'models/echo' }));
    assertGeminiCall(await wireFor('job-v1'), 'job-v1', { path: '/v1/models/echo:generateContent' });
  });

  it('refuses unknown or invalid options at construction, naming the key path', () => {
    assert.throws(() => new GeminiAdapter(providerConfig(baseUrl, { options: { region: 'eu' } })), /^Error: providers\.gemini-primary\.options\.region: is not an option/);
    assert.throws(() => new GeminiAdapter(providerConfig(baseUrl, { options: { api_version: 'v2' } })), /^Error: providers\.gemini-primary\.options\.api_version: /);
  });
});

describe('GeminiAdapter reading documented response bodies', () => {
  let upstream: Server;
  let adapter: GeminiAdapter;
  let next: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '{}' };

  function answer(status: number, body: unknown, headers: Record<string, string> = {}): void {
    next = { status, body: typeof body === 'string' ? body : JSON.stringify(body), headers };
  }

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new GeminiAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('turns functionCall parts into tool_calls with generated ids, and counts thinking and cached tokens', async () => {
    answer(200, {
      candidates: [
        {
          content: {
            role: 'model',
            parts: [
              { functionCall: { name: 'get_current_temperature', args: { location: 'London' } }, thoughtSignature: 'CiQBcsjafBXrPl3mvV0xkp3ToY2a' },
              { functionCall: { name: 'get_current_temperature', args: { location: 'Paris' } } },
            ],
          },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 75, candidatesTokenCount: 30, thoughtsTokenCount: 41, cachedContentTokenCount: 32, totalTokenCount: 146 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'mAitaLmkHPPlz7IPvtfUqQ4',
    });
    const completion = await adapter.generate(chat('temperatures?', { tools: [TEMPERATURE_TOOL] }), ctx('job-fc', { model: 'gemini-2.5-flash' }));
    assert.equal(completion.id, 'mAitaLmkHPPlz7IPvtfUqQ4');
    assert.equal(completion.model, 'gemini-2.5-flash');
    const [choice] = completion.choices;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null);
    const calls = choice.message.tool_calls ?? [];
    assert.deepEqual(
      calls.map((call) => [call.type, call.function.name, call.function.arguments]),
      [
        ['function', 'get_current_temperature', '{"location":"London"}'],
        ['function', 'get_current_temperature', '{"location":"Paris"}'],
      ],
    );
    assert.ok(calls.every((call) => /^call_[0-9A-Z]{26}$/.test(call.id)));
    assert.notEqual(calls[0].id, calls[1].id);
    assert.deepEqual(completion.usage, { prompt_tokens: 75, completion_tokens: 71, total_tokens: 146, prompt_tokens_details: { cached_tokens: 32 } });
  });

  it('keeps the ids Gemini gives its function calls', async () => {
    answer(200, {
      candidates: [{ content: { role: 'model', parts: [{ functionCall: { id: 'fc-7', name: 'get_current_temperature', args: {} } }] }, finishReason: 'STOP' }],
    });
    const completion = await adapter.generate(chat('hi'), ctx('job-fc-id'));
    assert.equal(completion.choices[0].message.tool_calls?.[0].id, 'fc-7');
    assert.equal(completion.choices[0].message.tool_calls?.[0].function.arguments, '{}');
    assert.deepEqual(completion.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('leaves thought summaries out of the answer', async () => {
    answer(200, {
      candidates: [
        {
          content: { role: 'model', parts: [{ text: '**Planning the answer**', thought: true }, { text: 'The sky is blue ' }, { text: 'because of Rayleigh scattering.' }] },
          finishReason: 'STOP',
          index: 0,
        },
      ],
    });
    const completion = await adapter.generate(chat('why is the sky blue'), ctx('job-thought'));
    assert.equal(completion.choices[0].message.content, 'The sky is blue because of Rayleigh scattering.');
  });

  it('maps the output filters to content_filter and warns about finish reasons OpenAI has no word for', async () => {
    const cases: Array<[string, string]> = [
      ['SAFETY', 'content_filter'],
      ['RECITATION', 'content_filter'],
      ['SPII', 'content_filter'],
      ['MAX_TOKENS', 'length'],
      ['MALFORMED_FUNCTION_CALL', 'stop'],
    ];
    for (const [reason, expected] of cases) {
      answer(200, { candidates: [{ finishReason: reason, index: 0 }] });
      const call = ctx(`job-finish-${reason}`);
      const completion = await adapter.generate(chat('hi'), call);
      assert.equal(completion.choices[0].finish_reason, expected, reason);
      assert.equal(completion.choices[0].message.content, null);
      assert.equal(call.warnings.length, reason === 'MALFORMED_FUNCTION_CALL' ? 1 : 0, reason);
    }
  });

  it('reports a 2xx that is not a generateContent response as bad_response', async () => {
    for (const body of ['<html>a proxy login page</html>', '{"candidates": []}', '{"candidates": "none"}']) {
      answer(200, body);
      const error = await providerError(adapter.generate(chat('hi'), ctx('job-bad')));
      assert.equal(error.kind, 'bad_response', body);
    }
  });

  it('prefers a retry-after header to RetryInfo, and reads an error wrapped in an array', async () => {
    answer(429, { error: { code: 429, message: 'quota', status: 'RESOURCE_EXHAUSTED', details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '59s' }] } }, { 'retry-after': '4' });
    assert.equal((await providerError(adapter.generate(chat('hi'), ctx('job-header')))).retryAfterMs, 4000);

    answer(503, [{ error: { code: 503, message: 'The model is overloaded. Please try again later.', status: 'UNAVAILABLE' } }]);
    const overloaded = await providerError(adapter.generate(chat('hi'), ctx('job-array')));
    assert.equal(overloaded.kind, 'overloaded');
    assert.match(overloaded.message, /answered 503: The model is overloaded/);
  });

  it('refuses tool call arguments that are not a JSON object before calling Gemini', async () => {
    const request: ChatRequest = {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '[1, 2]' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
      ],
    };
    const error = await providerError(adapter.generate(request, ctx('job-args')));
    assert.equal(error.kind, 'invalid_request');
    assert.match(error.message, /tool call 'c1'/);
  });
});

describe('GeminiAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: GeminiAdapter;

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new GeminiAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('streams from streamGenerateContent?alt=sse with the generateContent body, adding up to generate()', async () => {
    const chunks = await drain(adapter.stream(chat('Explain how AI works'), ctx('job-stream-text')));
    const wire = await wireFor(baseUrl, 'job-stream-text');
    assert.equal(wire.path, '/v1beta/models/echo:streamGenerateContent');
    assert.equal(wire.query, 'alt=sse');
    assert.deepEqual(adapterHeaders(wire), { 'content-type': 'application/json', accept: 'text/event-stream', 'x-client-request-id': 'job-stream-text', 'x-goog-api-key': KEY });
    assert.deepEqual(wire.body, { contents: [{ role: 'user', parts: [{ text: 'Explain how AI works' }] }] });

    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Explain' });
    assert.ok(chunks.every((chunk) => chunk.id === chunks[0].id && chunk.model === 'echo'));
    const generated = await adapter.generate(chat('Explain how AI works'), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.deepEqual(chunks.at(-1)?.choices, []);
  });

  it('streams every candidate under its own index, each with its finish reason', async () => {
    const request = chat('Tell me a story. #mock{"text": "once upon a time"}', { n: 2, max_completion_tokens: 3 });
    const chunks = await drain(adapter.stream(request, ctx('job-stream-n')));
    assert.deepEqual(
      collectStream(chunks).choices.map((c) => [c.index, c.message.content, c.finish_reason]),
      [
        [0, 'once upon a', 'length'],
        [1, 'once upon a', 'length'],
      ],
    );
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.delta.role === 'assistant').length, 2);
  });

  it('streams a functionCall part as one whole tool call, finishing with tool_calls', async () => {
    const request = chat(`What's the temperature in London? #mock{"text": ${JSON.stringify('{"location":"London"}')}}`, {
      tools: [TEMPERATURE_TOOL],
      tool_choice: 'required',
    });
    const chunks = await drain(adapter.stream(request, ctx('job-stream-tool')));
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.equal(pieces.length, 1);
    assert.match(pieces[0].id ?? '', /^call_/);
    assert.deepEqual({ ...pieces[0], id: undefined }, { index: 0, id: undefined, type: 'function', function: { name: 'get_current_temperature', arguments: '{"location":"London"}' } });
    assert.equal(collectStream(chunks).choices[0].finish_reason, 'tool_calls');
  });

  it('fails before the stream like generate(), the wait of a 429 read from RetryInfo', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-stream-429')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 2000);
  });

  it('turns a blocked prompt streamed as its one event into a content_filter error', async () => {
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 400, "error_code": "SAFETY"}'), ctx('job-stream-blocked'))));
    assert.equal(error.kind, 'content_filter');
    assert.match(error.message, /^gemini-primary blocked the prompt \(SAFETY\)/);
  });

  it('reads an error event mid-stream by its canonical status: INTERNAL is server_error', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_fail_after": 1}'), ctx('job-stream-fail')), seen));
    assert.equal(error.kind, 'server_error');
    assert.match(error.message, /^gemini-primary failed mid-stream: An internal error has occurred/);
    assert.equal(seen.length, 1);
  });

  it('reads a stream that ends before any finishReason as bad_response', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_truncate_after": 3}'), ctx('job-stream-cut')), seen));
    assert.equal(error.kind, 'bad_response');
    assert.equal(collectStream(seen).choices[0].message.content, 'one two three');
  });

  it('stops reading on abort and closes the connection, which the upstream sees', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(chat('one two three #mock{"stream_stall_after": 1}'), ctx('job-stream-abort', { signal: controller.signal }))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
    await waitFor(async () => (await recordsFor('job-stream-abort'))[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });
});

describe('Gemini streams the mock does not produce', () => {
  let upstream: Server;
  let adapter: GeminiAdapter;
  let nextStream = '';

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(nextStream);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new GeminiAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('leaves thought summaries out, counts thinking tokens, and warns about a finish reason OpenAI has no word for', async () => {
    const event = (body: object): string => `data: ${JSON.stringify(body)}\r\n\r\n`;
    nextStream = [
      event({ candidates: [{ content: { parts: [{ text: 'Thinking about it.', thought: true }], role: 'model' }, index: 0 }], responseId: 'resp-1', modelVersion: 'gemini-2.5-flash' }),
      event({ candidates: [{ content: { parts: [{ text: 'The answer' }], role: 'model' }, index: 0 }], responseId: 'resp-1', modelVersion: 'gemini-2.5-flash' }),
      event({
        candidates: [{ content: { parts: [{ text: ' is 42.' }], role: 'model' }, finishReason: 'MALFORMED_FUNCTION_CALL', index: 0 }],
        usageMetadata: { promptTokenCount: 7, candidatesTokenCount: 4, thoughtsTokenCount: 20, totalTokenCount: 31 },
        responseId: 'resp-1',
        modelVersion: 'gemini-2.5-flash',
      }),
    ].join('');
    const context = ctx('job-fixture-thoughts');
    const chunks = await drain(adapter.stream(chat('what is the answer?'), context));
    const collected = collectStream(chunks);
    assert.equal(collected.id, 'resp-1');
    assert.equal(collected.model, 'gemini-2.5-flash');
    assert.equal(collected.choices[0].message.content, 'The answer is 42.');
    assert.equal(collected.choices[0].finish_reason, 'stop');
    assert.deepEqual(collected.usage, { prompt_tokens: 7, completion_tokens: 24, total_tokens: 31 });
    assert.deepEqual(context.warnings, ['gemini-primary finished with MALFORMED_FUNCTION_CALL, which has no OpenAI finish_reason']);
  });
});
