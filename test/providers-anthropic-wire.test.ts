import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { AnthropicAdapter, PROVIDER_FAMILIES, ProviderError, collectStream, type ModelInfo } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { wireFor } from './support/mock-wire';
import { waitFor } from './support/wait';

const KEY = 'sk-ant-api03-wire-test-0123456789abcdef';
const MODEL = 'claude-sonnet-4-5';
/** Sent by the HTTP stack, not chosen by the adapter. */
const TRANSPORT_HEADERS = new Set(['host', 'connection', 'content-length']);

// Fixtures below follow Anthropic's documented examples (Messages, vision, tool use, structured outputs).
const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: {
      type: 'object',
      properties: {
        location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' },
        unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
      },
      required: ['location'],
    },
  },
};
const ANT_IMAGE_URL = 'https://upload.wikimedia.org/wikipedia/commons/a/a7/Camponotus_flavomarginatus_ant.jpg';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const CONTACT_SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    email: { type: 'string' },
    plan_interest: { type: 'string' },
    demo_requested: { type: 'boolean' },
  },
  required: ['name', 'email', 'plan_interest', 'demo_requested'],
  additionalProperties: false,
};

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-model-name', messages: [{ role: 'user', content: text }], ...extra };
}

function providerConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return { ...PROVIDER_DEFAULTS, name: 'claude', type: 'anthropic', baseUrl, apiKey: KEY, timeoutMs: 10_000, concurrency: 4, options: {}, ...overrides };
}

interface TestContext {
  model: string;
  signal: AbortSignal;
  jobId: string;
  modelInfo?: ModelInfo;
  warnings: string[];
  warn(message: string): void;
}

function ctx(jobId: string, extra: { signal?: AbortSignal; modelInfo?: ModelInfo; model?: string } = {}): TestContext {
  const warnings: string[] = [];
  return {
    model: extra.model ?? MODEL,
    signal: extra.signal ?? new AbortController().signal,
    jobId,
    ...(extra.modelInfo ? { modelInfo: extra.modelInfo } : {}),
    warnings,
    warn: (message) => warnings.push(message),
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

function expectedHeaders(jobId: string): Record<string, string> {
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'anthropic-version': '2023-06-01',
    'x-client-request-id': jobId,
    'x-api-key': KEY,
  };
}

function choice(completion: ChatCompletion) {
  assert.equal(completion.choices.length, 1);
  return completion.choices[0];
}

describe('AnthropicAdapter against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: AnthropicAdapter;
  const extraAdapters: AnthropicAdapter[] = [];

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  /** The one request the adapter sent for a job, with the transport's own headers left out. */
  async function sent(jobId: string): Promise<WireRecord> {
    const wire = await control<{ data: WireRecord[] }>('/_control/wire?limit=500');
    const records = wire.data.filter((record) => record.headers['x-client-request-id'] === jobId);
    assert.equal(records.length, 1, `one request for ${jobId}`);
    const record = records[0];
    const headers = Object.fromEntries(Object.entries(record.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
    return { ...record, headers };
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const list = await control<{ data: RequestRecord[] }>(`/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return list.data;
  }

  function extraAdapter(overrides: Partial<ProviderConfig>): AnthropicAdapter {
    const created = new AnthropicAdapter(providerConfig(baseUrl, overrides));
    extraAdapters.push(created);
    return created;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new AnthropicAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await Promise.all([adapter, ...extraAdapters].map((a) => a.close()));
    await server.close();
  });

  describe('requests and their normalized answers', () => {
    it('sends a plain chat to POST /v1/messages with x-api-key, anthropic-version and the routed model', async () => {
      const completion = await adapter.generate(chat('Hello, Claude'), ctx('job-plain'));

      const wire = await sent('job-plain');
      assert.equal(wire.method, 'POST');
      assert.equal(wire.path, '/v1/messages');
      assert.equal(wire.query, '');
      assert.deepEqual(wire.headers, expectedHeaders('job-plain'));
      assert.deepEqual(wire.body, { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hello, Claude' }] });

      assert.equal(completion.object, 'chat.completion');
      assert.match(completion.id, /^msg_/);
      assert.equal(completion.model, MODEL);
      assert.deepEqual(choice(completion), {
        index: 0,
        message: { role: 'assistant', content: 'Hello, Claude', refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      });
      // The mock counts ceil(13 characters / 4) prompt tokens and one token per word.
      assert.deepEqual(completion.usage, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
    });

    it('lifts system and developer messages into `system` and maps the sampling parameters', async () => {
      const context = ctx('job-system', { modelInfo: { id: MODEL, maxOutputTokens: 64_000, capabilities: [] } });
      const completion = await adapter.generate(
        {
          model: 'public-model-name',
          messages: [
            { role: 'system', content: 'You are a seasoned data scientist at a Fortune 500 company.' },
            { role: 'developer', content: [{ type: 'text', text: 'Answer in one sentence.' }] },
            { role: 'user', content: 'Analyze this dataset for anomalies.' },
          ],
          temperature: 0.2,
          top_p: 0.9,
          user: 'user-7f3a',
        },
        context,
      );

      const wire = await sent('job-system');
      assert.deepEqual(wire.body, {
        model: MODEL,
        // No limit in the request: the registry's maxOutputTokens for the model.
        max_tokens: 64_000,
        system: 'You are a seasoned data scientist at a Fortune 500 company.\n\nAnswer in one sentence.',
        messages: [{ role: 'user', content: 'Analyze this dataset for anomalies.' }],
        temperature: 0.2,
        top_p: 0.9,
        metadata: { user_id: 'user-7f3a' },
      });
      assert.equal(choice(completion).message.content, 'Analyze this dataset for anomalies.');
      assert.deepEqual(context.warnings, []);
    });

    it('keeps a multi-turn conversation in order and merges consecutive turns of one role', async () => {
      const completion = await adapter.generate(
        {
          model: 'public-model-name',
          messages: [
            { role: 'user', content: 'Hello there.' },
            { role: 'assistant', content: "Hi, I'm Claude. How can I help you?" },
            { role: 'user', content: 'Can you explain LLMs in plain English?' },
            { role: 'user', content: 'Keep it short.' },
          ],
          max_tokens: 1024,
        },
        ctx('job-multi'),
      );

      const wire = await sent('job-multi');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 1024,
        messages: [
          { role: 'user', content: 'Hello there.' },
          { role: 'assistant', content: "Hi, I'm Claude. How can I help you?" },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Can you explain LLMs in plain English?' },
              { type: 'text', text: 'Keep it short.' },
            ],
          },
        ],
      });
      assert.equal(choice(completion).message.content, 'Can you explain LLMs in plain English?\nKeep it short.');
    });

    it('sends image parts as image blocks: a URL source for http(s), a base64 source for data URLs', async () => {
      const completion = await adapter.generate(
        {
          model: 'public-model-name',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'image_url', image_url: { url: ANT_IMAGE_URL, detail: 'high' } },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
                { type: 'text', text: 'Describe this image.' },
              ],
            },
          ],
        },
        ctx('job-image'),
      );

      const wire = await sent('job-image');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'image', source: { type: 'url', url: ANT_IMAGE_URL } },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
              { type: 'text', text: 'Describe this image.' },
            ],
          },
        ],
      });
      assert.equal(choice(completion).message.content, 'Describe this image.');
    });

    it('refuses an image URL that is neither http(s) nor a base64 data URL, before any call', async () => {
      const request = chat('');
      request.messages = [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://example.com/ant.jpg' } }] }];
      const error = await providerError(adapter.generate(request, ctx('job-bad-image')));
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /^claude: an image must be an http\(s\) URL or a base64 data URL/);
      assert.deepEqual(await recordsFor('job-bad-image'), []);
    });

    it('sends tools with input_schema and maps required + parallel_tool_calls; a tool_use answer becomes tool_calls', async () => {
      const completion = await adapter.generate(
        chat(`What's the weather like in San Francisco? #mock{"text": "{\\"location\\": \\"San Francisco, CA\\", \\"unit\\": \\"celsius\\"}"}`, {
          tools: [WEATHER_TOOL],
          tool_choice: 'required',
          parallel_tool_calls: false,
        }),
        ctx('job-tools'),
      );

      const wire = await sent('job-tools');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          {
            role: 'user',
            content: `What's the weather like in San Francisco? #mock{"text": "{\\"location\\": \\"San Francisco, CA\\", \\"unit\\": \\"celsius\\"}"}`,
          },
        ],
        tools: [{ name: 'get_weather', description: 'Get the current weather in a given location', input_schema: WEATHER_TOOL.function.parameters }],
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
      });

      const answer = choice(completion);
      assert.equal(answer.finish_reason, 'tool_calls');
      assert.equal(answer.message.content, null);
      assert.equal(answer.message.tool_calls?.length, 1);
      const [call] = answer.message.tool_calls ?? [];
      assert.match(call.id, /^toolu_/);
      assert.equal(call.type, 'function');
      assert.equal(call.function.name, 'get_weather');
      assert.deepEqual(JSON.parse(call.function.arguments), { location: 'San Francisco, CA', unit: 'celsius' });
    });

    it('maps the tool_choice forms: a named function, auto and none', async () => {
      const cases: Array<[ChatRequest['tool_choice'], unknown]> = [
        [{ type: 'function', function: { name: 'get_weather' } }, { type: 'tool', name: 'get_weather' }],
        ['auto', { type: 'auto' }],
        ['none', { type: 'none' }],
      ];
      for (const [index, [toolChoice, expected]] of cases.entries()) {
        await adapter.generate(chat('What is the weather like in Paris?', { tools: [WEATHER_TOOL], tool_choice: toolChoice }), ctx(`job-choice-${index}`));
        const wire = await sent(`job-choice-${index}`);
        assert.deepEqual((wire.body as { tool_choice: unknown }).tool_choice, expected, `tool_choice ${JSON.stringify(toolChoice)}`);
      }
    });

    it('sends an assistant tool call as tool_use and the tool result as a tool_result block in a user turn', async () => {
      const completion = await adapter.generate(
        {
          model: 'public-model-name',
          messages: [
            { role: 'user', content: "What's the weather like in San Francisco?" },
            {
              role: 'assistant',
              content: 'Let me check that.',
              tool_calls: [
                {
                  id: 'toolu_01A09q90qw90lq917835lq9',
                  type: 'function',
                  function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
                },
              ],
            },
            { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' },
          ],
          tools: [WEATHER_TOOL],
        },
        ctx('job-tool-result'),
      );

      const wire = await sent('job-tool-result');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 4096,
        messages: [
          { role: 'user', content: "What's the weather like in San Francisco?" },
          {
            role: 'assistant',
            content: [
              { type: 'text', text: 'Let me check that.' },
              { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
            ],
          },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01A09q90qw90lq917835lq9', content: '15 degrees' }] },
        ],
        tools: [{ name: 'get_weather', description: 'Get the current weather in a given location', input_schema: WEATHER_TOOL.function.parameters }],
      });
      // The mock's echo model reads the tool result as the user's last words.
      assert.deepEqual(choice(completion).message, { role: 'assistant', content: '15 degrees', refusal: null });
      assert.equal(choice(completion).finish_reason, 'stop');
    });

    it('refuses tool call arguments that are not a JSON object', async () => {
      const error = await providerError(
        adapter.generate(
          {
            model: 'public-model-name',
            messages: [
              { role: 'user', content: 'hi' },
              { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '[1,2]' } }] },
              { role: 'tool', tool_call_id: 'call_1', content: 'ok' },
            ],
          },
          ctx('job-bad-args'),
        ),
      );
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /tool call call_1: arguments must be a JSON object/);
    });

    it('expresses response_format json_schema as a forced tool and returns its input as the content', async () => {
      const email =
        'Extract the key information from this email: John Smith (john@example.com) is interested in our Enterprise plan and wants to schedule a demo for next Tuesday at 2pm.';
      const answer = { name: 'John Smith', email: 'john@example.com', plan_interest: 'Enterprise', demo_requested: true };
      const text = `${email} #mock${JSON.stringify({ text: JSON.stringify(answer) })}`;
      const completion = await adapter.generate(
        chat(text, { response_format: { type: 'json_schema', json_schema: { name: 'contact_info', schema: CONTACT_SCHEMA, strict: true } } }),
        ctx('job-json-schema'),
      );

      const wire = await sent('job-json-schema');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: text }],
        tools: [
          {
            name: 'contact_info',
            description: 'Answer by calling this tool: its input is the answer, a JSON object that matches the schema.',
            input_schema: CONTACT_SCHEMA,
          },
        ],
        tool_choice: { type: 'tool', name: 'contact_info' },
      });
      assert.deepEqual(choice(completion), {
        index: 0,
        message: { role: 'assistant', content: JSON.stringify(answer), refusal: null },
        finish_reason: 'stop',
        logprobs: null,
      });
    });

    it('refuses json_schema together with tools: the forced tool would hide them', async () => {
      const error = await providerError(
        adapter.generate(
          chat('hi', { tools: [WEATHER_TOOL], response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }),
          ctx('job-schema-tools'),
        ),
      );
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /cannot be combined with tools/);
    });

    it('sends stop as stop_sequences and maps a stop_sequence answer to finish_reason stop', async () => {
      const completion = await adapter.generate(
        chat('List three fruits. #mock{"text": "apple banana cherry END durian"}', { stop: ['END', 'STOP'] }),
        ctx('job-stop'),
      );

      const wire = await sent('job-stop');
      assert.deepEqual(wire.body, {
        model: MODEL,
        max_tokens: 4096,
        messages: [{ role: 'user', content: 'List three fruits. #mock{"text": "apple banana cherry END durian"}' }],
        stop_sequences: ['END', 'STOP'],
      });
      assert.deepEqual(choice(completion).message.content, 'apple banana cherry');
      assert.equal(choice(completion).finish_reason, 'stop');
      assert.equal(completion.usage.completion_tokens, 3);

      await adapter.generate(chat('hi', { stop: 'END' }), ctx('job-stop-string'));
      assert.deepEqual((await sent('job-stop-string')).body, { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }], stop_sequences: ['END'] });
    });

    it('sends max_completion_tokens as max_tokens and maps a max_tokens stop to finish_reason length', async () => {
      const completion = await adapter.generate(chat('one two three four five', { max_completion_tokens: 2, max_tokens: 99 }), ctx('job-length'));
      assert.deepEqual((await sent('job-length')).body, { model: MODEL, max_tokens: 2, messages: [{ role: 'user', content: 'one two three four five' }] });
      assert.equal(choice(completion).message.content, 'one two');
      assert.equal(choice(completion).finish_reason, 'length');
    });

    it('sends temperatures above 1 as 1 and says so', async () => {
      const context = ctx('job-temperature');
      await adapter.generate(chat('hi', { temperature: 1.6 }), context);
      assert.equal(((await sent('job-temperature')).body as { temperature: number }).temperature, 1);
      assert.deepEqual(context.warnings, ["temperature 1.6 is above Anthropic's maximum of 1; sent as 1"]);
    });

    it('sends anthropic-beta and another anthropic-version when the options ask for them', async () => {
      const beta = extraAdapter({ options: { anthropic_version: '2023-01-01', anthropic_beta: ['files-api-2025-04-14', 'context-1m-2025-08-07'] } });
      await beta.generate(chat('hi'), ctx('job-beta'));
      const { headers } = await sent('job-beta');
      assert.equal(headers['anthropic-version'], '2023-01-01');
      assert.equal(headers['anthropic-beta'], 'files-api-2025-04-14,context-1m-2025-08-07');
    });
  });

  describe('what the Messages API cannot express', () => {
    it('rejects n > 1 and json_object by default, before any call', async () => {
      for (const [jobId, extra, feature] of [
        ['job-n', { n: 2 }, 'n'],
        ['job-json-object', { response_format: { type: 'json_object' as const } }, 'json_object'],
      ] as const) {
        const error = await providerError(adapter.generate(chat('hi', extra), ctx(jobId)));
        assert.equal(error.kind, 'invalid_request');
        assert.equal(error.message, `claude does not support: ${feature}`);
        assert.deepEqual(await recordsFor(jobId), []);
      }
    });

    it('drops seed and the penalties with a warning', async () => {
      const context = ctx('job-drop');
      await adapter.generate(chat('hi', { seed: 7, presence_penalty: 0.5, frequency_penalty: 0.5 }), context);
      assert.deepEqual((await sent('job-drop')).body, { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'hi' }] });
      assert.deepEqual(context.warnings, ['claude does not support seed, presence_penalty, frequency_penalty; dropped']);
    });

    it('is registered as the anthropic family, without embeddings', () => {
      const family = PROVIDER_FAMILIES.anthropic;
      assert.equal(family.embeddings, false);
      assert.deepEqual(
        [...family.chatFeatures].sort(),
        ['images', 'json_schema', 'max_tokens', 'parallel_tool_calls', 'stop', 'temperature', 'tool_choice', 'tools', 'top_p', 'user'],
      );
      assert.equal('embed' in adapter, false);
    });

    it('names the offending option key at construction', () => {
      assert.throws(() => new AnthropicAdapter(providerConfig(baseUrl, { options: { anthropic_beta: 'files-api' } })), /^Error: providers\.claude\.options\.anthropic_beta: /);
      assert.throws(() => new AnthropicAdapter(providerConfig(baseUrl, { options: { region: 'us' } })), /^Error: providers\.claude\.options\.region: is not an option/);
    });
  });

  describe('errors in Anthropic shape', () => {
    it('classifies a 429 rate_limit_error as rate_limited and reads retry-after', async () => {
      const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterMs, 2000);
      assert.equal(error.retryable, true);
      assert.equal(error.message, 'claude answered 429: Rate limited');
      const body = JSON.parse(error.body ?? '') as { type: string; error: { type: string }; request_id: string };
      assert.equal(body.type, 'error');
      assert.equal(body.error.type, 'rate_limit_error');
      assert.match(body.request_id, /^req_/);
    });

    it('classifies a 529 overloaded_error as overloaded, worth a retry and a fallback', async () => {
      const error = await providerError(adapter.generate(chat('#mock{"status": 529}'), ctx('job-529')));
      assert.equal(error.kind, 'overloaded');
      assert.equal(error.message, 'claude answered 529: Overloaded');
      assert.equal(error.retryable, true);
      assert.equal(error.fallback, true);
    });

    it('classifies "prompt is too long" as context_length_exceeded, neither retried nor moved', async () => {
      const error = await providerError(adapter.generate(chat('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('job-ctx')));
      assert.equal(error.kind, 'context_length_exceeded');
      assert.equal(error.message, 'claude answered 400: prompt is too long: 201000 tokens > 200000 maximum');
      assert.equal(error.retryable, false);
      assert.equal(error.fallback, false);
    });

    it('reads a refusal (Anthropic answers 200 with stop_reason refusal) as finish_reason content_filter', async () => {
      const completion = await adapter.generate(chat('#mock{"status": 400, "error_code": "content_filter"}'), ctx('job-refusal'));
      assert.deepEqual(choice(completion), {
        index: 0,
        message: { role: 'assistant', content: null, refusal: null },
        finish_reason: 'content_filter',
        logprobs: null,
      });
    });

    it('classifies each documented error type', async () => {
      const expected: Array<[number, string, string]> = [
        [400, 'invalid_request_error', 'invalid_request'],
        [401, 'authentication_error', 'authentication'],
        [402, 'billing_error', 'permission'],
        [403, 'permission_error', 'permission'],
        [404, 'not_found_error', 'not_found'],
        [413, 'request_too_large', 'invalid_request'],
        [500, 'api_error', 'server_error'],
        [504, 'timeout_error', 'timeout'],
        [503, 'api_error', 'overloaded'],
      ];
      for (const [status, type, kind] of expected) {
        const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}}`), ctx(`job-status-${status}`)));
        assert.equal(error.kind, kind, `status ${status}`);
        assert.equal(error.status, status);
        assert.equal((JSON.parse(error.body ?? '') as { error: { type: string } }).error.type, type, `status ${status}`);
      }
    });

    it('cancels a hanging call on abort, and the upstream sees the connection close', async () => {
      const controller = new AbortController();
      const call = adapter.generate(chat('#mock{"hang": true}'), ctx('job-abort', { signal: controller.signal }));
      await waitFor(async () => (await recordsFor('job-abort')).length === 1, { message: 'the mock to receive the call' });
      controller.abort();
      const error = await providerError(call);
      assert.equal(error.kind, 'canceled');
      await waitFor(async () => (await recordsFor('job-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
      const [record] = await recordsFor('job-abort');
      assert.equal(record.status, null);
      assert.equal(record.has_authorization, true);
    });

    it('never lets a key the provider echoes back into the error', async () => {
      for (const key of ['plain-secret-without-any-prefix', 'sk-ant-api03-ABCDEFGHIJKLMNOP0123456789']) {
        const wrongKey = extraAdapter({ apiKey: key });
        const error = await providerError(wrongKey.generate(chat('hi'), ctx(`job-key-${key.length}`)));
        assert.equal(error.kind, 'authentication');
        const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
        assert.ok(!seen.includes(key), `the key leaked: ${seen}`);
        assert.ok(error.body?.includes('invalid x-api-key'), 'the provider body is kept, scrubbed');
      }
    });
  });
});

describe('Anthropic responses the mock does not produce', () => {
  let upstream: Server;
  let adapter: AnthropicAdapter;
  let nextBody = '';
  let nextStatus = 200;

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(nextStatus, { 'content-type': 'application/json' }).end(nextBody);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new AnthropicAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  beforeEach(() => {
    nextStatus = 200;
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('counts cache reads and writes into prompt_tokens and reports cache reads as cached_tokens', async () => {
    // The usage block of Anthropic's prompt-caching example.
    nextBody = JSON.stringify({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5-20250929',
      content: [
        { type: 'text', text: 'Hi! My name is ' },
        { type: 'text', text: 'Claude.' },
      ],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 21, cache_creation_input_tokens: 188086, cache_read_input_tokens: 12, output_tokens: 393 },
    });
    const completion = await adapter.generate(chat('hi'), ctx('job-cache'));
    assert.equal(completion.id, 'msg_013Zva2CMHLNnXjNJJKqJ2EF');
    assert.equal(completion.model, 'claude-sonnet-4-5-20250929');
    assert.equal(choice(completion).message.content, 'Hi! My name is Claude.');
    assert.deepEqual(completion.usage, {
      prompt_tokens: 21 + 188086 + 12,
      completion_tokens: 393,
      total_tokens: 21 + 188086 + 12 + 393,
      prompt_tokens_details: { cached_tokens: 12 },
    });
  });

  it('keeps text next to tool calls and skips block types a chat completion has no place for', async () => {
    nextBody = JSON.stringify({
      id: 'msg_01Aq9w938a90dw8q',
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [
        { type: 'thinking', thinking: 'The user wants the weather.', signature: 'abc' },
        { type: 'text', text: "I'll check the current weather." },
        { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'get_weather', input: { location: 'San Francisco, CA', unit: 'celsius' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 5 },
    });
    const completion = await adapter.generate(chat('weather?', { tools: [WEATHER_TOOL] }), ctx('job-mixed'));
    assert.deepEqual(choice(completion), {
      index: 0,
      message: {
        role: 'assistant',
        content: "I'll check the current weather.",
        refusal: null,
        tool_calls: [
          {
            id: 'toolu_01A09q90qw90lq917835lq9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    assert.deepEqual(completion.usage, { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
  });

  it('reports a 2xx that is not a message as bad_response', async () => {
    nextBody = '<html>a proxy login page</html>';
    const error = await providerError(adapter.generate(chat('hi'), ctx('job-html')));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.status, 200);
  });

  it('classifies an error body it cannot read by its status alone', async () => {
    nextStatus = 502;
    nextBody = '<html>Bad Gateway</html>';
    const error = await providerError(adapter.generate(chat('hi'), ctx('job-502')));
    assert.equal(error.kind, 'server_error');
    assert.equal(error.message, 'claude answered 502');
  });
});

describe('AnthropicAdapter streaming against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: AnthropicAdapter;

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    const response = await request(`${baseUrl}/_control/requests?request_id=${encodeURIComponent(jobId)}`);
    return ((await response.body.json()) as { data: RequestRecord[] }).data;
  }

  before(async () => {
    server = createMockProviderServer({ apiKey: KEY });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new AnthropicAdapter(providerConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('sends the Messages body with stream: true and turns the events into chunks that add up to generate()', async () => {
    const chunks = await drain(adapter.stream(chat('Hello there, Claude'), ctx('job-stream-text')));
    const wire = await wireFor(baseUrl, 'job-stream-text');
    assert.equal(wire.path, '/v1/messages');
    const headers = Object.fromEntries(Object.entries(wire.headers).filter(([name]) => !TRANSPORT_HEADERS.has(name)));
    assert.deepEqual(headers, { ...expectedHeaders('job-stream-text'), accept: 'text/event-stream' });
    assert.deepEqual(wire.body, { model: MODEL, max_tokens: 4096, messages: [{ role: 'user', content: 'Hello there, Claude' }], stream: true });

    assert.match(chunks[0].id, /^msg_mock_/, 'the id of message_start');
    assert.ok(chunks.every((chunk) => chunk.id === chunks[0].id && chunk.model === MODEL));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Hello' });
    assert.deepEqual(chunks.at(-2)?.choices, [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }]);
    assert.deepEqual(chunks.at(-1)?.choices, []);
    const generated = await adapter.generate(chat('Hello there, Claude'), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    // output_tokens of message_delta are cumulative: they replace message_start's 1.
    assert.deepEqual(collected.usage, generated.usage);
    assert.deepEqual(collected.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it('streams a tool_use block as a tool call: id and name at its start, input_json_delta as argument fragments', async () => {
    const input = { location: 'San Francisco, CA', unit: 'celsius' };
    const chunks = await drain(
      adapter.stream(chat(`What is the weather like in San Francisco? #mock${JSON.stringify({ text: JSON.stringify(input) })}`, { tools: [WEATHER_TOOL], tool_choice: 'required' }), ctx('job-stream-tool')),
    );
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.ok(pieces.length > 2);
    assert.ok(pieces.every((piece) => piece.index === 0));
    assert.deepEqual({ ...pieces[0], id: undefined }, { index: 0, id: undefined, type: 'function', function: { name: 'get_weather', arguments: '' } });
    assert.match(pieces[0].id ?? '', /^toolu_mock_/);
    assert.equal(chunks[0].choices[0].delta.role, 'assistant');
    const collected = collectStream(chunks);
    assert.equal(collected.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(collected.choices[0].message.tool_calls, [{ id: pieces[0].id, type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(input) } }]);
  });

  it('streams the input of the forced json_schema tool as the content, finishing with stop', async () => {
    const answer = { name: 'John Smith', email: 'john@example.com', plan_interest: 'Enterprise', demo_requested: true };
    const chunks = await drain(
      adapter.stream(
        chat(`Extract the contact. #mock${JSON.stringify({ text: JSON.stringify(answer) })}`, {
          response_format: { type: 'json_schema', json_schema: { name: 'contact_info', schema: CONTACT_SCHEMA } },
        }),
        ctx('job-stream-json'),
      ),
    );
    assert.ok(chunks.every((chunk) => chunk.choices[0]?.delta.tool_calls === undefined));
    const collected = collectStream(chunks);
    assert.deepEqual(JSON.parse(collected.choices[0].message.content ?? ''), answer);
    assert.equal(collected.choices[0].finish_reason, 'stop');
  });

  it('fails before any chunk with the error generate() gives for the same HTTP answer', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('#mock{"status": 429, "retry_after_s": 3}'), ctx('job-stream-429')), seen));
    assert.deepEqual(seen, []);
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryAfterMs, 3000);
    assert.match(error.message, /^claude answered 429: Rate limited/);
  });

  it('reads an error event mid-stream by its error type: overloaded_error is overloaded', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three four #mock{"stream_fail_after": 2}'), ctx('job-stream-fail')), seen));
    assert.equal(error.kind, 'overloaded');
    assert.equal(error.message, 'claude failed mid-stream: Overloaded');
    assert.equal(collectStream(seen).choices[0].message.content, 'one two');
  });

  it('yields nothing when the error event comes before the first token', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two #mock{"stream_fail_after": 0}'), ctx('job-stream-fail-0')), seen));
    assert.equal(error.kind, 'overloaded');
    assert.deepEqual(seen, []);
  });

  it('reads a stream that ends without message_stop as bad_response', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three #mock{"stream_truncate_after": 3}'), ctx('job-stream-cut')), seen));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.message, 'claude ended the stream before its final event');
    assert.equal(collectStream(seen).choices[0].message.content, 'one two three');
  });

  it('streams a refusal (a 200 with stop_reason refusal) as finish_reason content_filter', async () => {
    const chunks = await drain(adapter.stream(chat('#mock{"status": 400, "error_code": "content_filter"}'), ctx('job-stream-refusal')));
    assert.deepEqual(chunks[0].choices, [{ index: 0, delta: { role: 'assistant' }, finish_reason: 'content_filter', logprobs: null }]);
    assert.equal(collectStream(chunks).choices[0].message.content, null);
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

describe('Anthropic streams the mock does not produce', () => {
  let upstream: Server;
  let adapter: AnthropicAdapter;
  let nextStream = '';

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' }).end(nextStream);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new AnthropicAdapter(providerConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  const event = (type: string, data: object = {}): string => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

  it('skips thinking blocks, counts cache reads into prompt_tokens and numbers tool calls among themselves', async () => {
    // The shape of Anthropic's extended-thinking and tool-use streaming examples.
    nextStream = [
      event('message_start', {
        message: { id: 'msg_01', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929', content: [], usage: { input_tokens: 10, cache_read_input_tokens: 90, output_tokens: 1 } },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'thinking', thinking: '' } }),
      event('content_block_delta', { index: 0, delta: { type: 'thinking_delta', thinking: 'The user wants the weather.' } }),
      event('content_block_delta', { index: 0, delta: { type: 'signature_delta', signature: 'EqQB' } }),
      event('content_block_stop', { index: 0 }),
      event('ping'),
      event('content_block_start', { index: 1, content_block: { type: 'text', text: '' } }),
      event('content_block_delta', { index: 1, delta: { type: 'text_delta', text: "I'll check." } }),
      event('content_block_stop', { index: 1 }),
      event('content_block_start', { index: 2, content_block: { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: {} } }),
      event('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '' } }),
      event('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: '{"location": "San Fra' } }),
      event('content_block_delta', { index: 2, delta: { type: 'input_json_delta', partial_json: 'ncisco, CA"}' } }),
      event('content_block_stop', { index: 2 }),
      event('message_delta', { delta: { stop_reason: 'tool_use', stop_sequence: null }, usage: { output_tokens: 89 } }),
      event('message_stop'),
    ].join('');
    const chunks = await drain(adapter.stream(chat('weather?', { tools: [WEATHER_TOOL] }), ctx('job-fixture-stream')));
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: "I'll check." });
    assert.deepEqual(collectStream(chunks), {
      id: 'msg_01',
      object: 'chat.completion',
      created: chunks[0].created,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: "I'll check.",
            refusal: null,
            tool_calls: [{ id: 'toolu_01', type: 'function', function: { name: 'get_weather', arguments: '{"location": "San Francisco, CA"}' } }],
          },
          finish_reason: 'tool_calls',
          logprobs: null,
        },
      ],
      usage: { prompt_tokens: 100, completion_tokens: 89, total_tokens: 189, prompt_tokens_details: { cached_tokens: 90 } },
    });
  });

  it('reads an api_error event as server_error and an event it cannot read as bad_response', async () => {
    nextStream = event('message_start', { message: { id: 'msg_02', usage: { input_tokens: 1 } } }) + event('error', { error: { type: 'api_error', message: 'Internal server error' } });
    const failed = await providerError(drain(adapter.stream(chat('hi'), ctx('job-fixture-api-error'))));
    assert.equal(failed.kind, 'server_error');
    nextStream = event('content_block_delta', { index: 'zero' });
    const garbled = await providerError(drain(adapter.stream(chat('hi'), ctx('job-fixture-garbled'))));
    assert.equal(garbled.kind, 'bad_response');
  });
});
