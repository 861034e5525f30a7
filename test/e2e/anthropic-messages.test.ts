import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, type ApiClient, type Gateway } from '../support';
import { TEAM_A_KEY, type JobLike } from './fixtures';

const UPSTREAM_KEY = 'sk-ant-upstream-SECRET-4d2c9e7a1b0f';
const BODY_LIMIT = 65_536;
const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: { type: 'object' as const, properties: { location: { type: 'string' } }, required: ['location'] },
};

/**
 * The in-process mock for text, and the mock provider's Anthropic wire (reached through the
 * `anthropic` adapter) for tool calls, which the in-process mock does not make.
 */
function config(mockProviderUrl: string): string {
  return `
server: { host: 127.0.0.1, body_limit_bytes: ${BODY_LIMIT} }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 50 }
  claude: { type: anthropic, base_url: ${mockProviderUrl}, api_key: ${UPSTREAM_KEY}, retries: 0 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-lorem:
    targets: [{ provider: mock, model: lorem }]
  claude-tools:
    targets: [{ provider: claude, model: claude-sonnet-4-5 }]
`;
}

describe('Anthropic Messages API through the official @anthropic-ai/sdk', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let client: Anthropic;
  let http: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    const mock = await startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY });
    gateway = await startGateway({ redis, config: config(mock.baseUrl) });
    // The SDK appends /v1/messages to the base URL. This version sends the key as
    // `Authorization: Bearer`; earlier ones, and Anthropic's own examples, use x-api-key (below).
    client = new Anthropic({ apiKey: TEAM_A_KEY, baseURL: gateway.baseUrl, maxRetries: 0 });
    http = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('answers messages.create with a message that is also a pollable job', async () => {
    const { data, response } = await client.messages
      .create({ model: 'mock-echo', max_tokens: 100, system: 'You are an echo.', messages: [{ role: 'user', content: 'hello from the anthropic sdk' }] })
      .withResponse();
    assert.equal(data.type, 'message');
    assert.equal(data.role, 'assistant');
    assert.match(data.id, /^msg_[0-9A-Z]{26}$/);
    assert.deepEqual(data.content, [{ type: 'text', text: 'hello from the anthropic sdk' }]);
    assert.equal(data.stop_reason, 'end_turn');
    assert.ok(data.usage.input_tokens > 0 && data.usage.output_tokens > 0, JSON.stringify(data.usage));
    const jobId = response.headers.get('x-switchyard-job-id');
    assert.equal(jobId, `job_${data.id.slice('msg_'.length)}`);
    const job = (await http.get(`/v1/jobs/${jobId}`)).body as JobLike & { priority: number };
    assert.equal(job.status, 'succeeded');
    assert.equal(job.priority, 1);
  });

  it('says max_tokens when the answer was cut at max_tokens', async () => {
    const message = await client.messages.create({ model: 'mock-lorem', max_tokens: 3, messages: [{ role: 'user', content: 'write #mock{"tokens":20}' }] });
    assert.equal(message.stop_reason, 'max_tokens');
    assert.equal(message.usage.output_tokens, 3);
  });

  it('streams with messages.stream: text events add up to the final message', async () => {
    const stream = client.messages.stream({ model: 'mock-lorem', max_tokens: 200, messages: [{ role: 'user', content: 'write #mock{"tokens":30}' }] });
    let text = '';
    stream.on('text', (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(text.split(' ').length, 30, text);
    assert.deepEqual(final.content, [{ type: 'text', text }]);
    assert.equal(final.stop_reason, 'end_turn');
    assert.equal(final.usage.output_tokens, 30);
    assert.ok(final.usage.input_tokens > 0);
  });

  it('streams with stream: true as Anthropic events, message_start first and message_stop last', async () => {
    const { data: stream, response } = await client.messages
      .create({ model: 'mock-echo', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'streamed echo' }] })
      .withResponse();
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.ok(response.headers.get('x-switchyard-job-id'));
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    assert.equal(types[0], 'message_start');
    assert.deepEqual(types.slice(-2), ['message_delta', 'message_stop']);
    assert.ok(types.includes('content_block_start') && types.includes('content_block_stop'), types.join(','));
    assert.equal(text, 'streamed echo');
  });

  it('runs a tool use round trip: tool_use out, tool_result back in, the answer after it', async () => {
    const question = { role: 'user' as const, content: `What is the weather in Paris? #mock{"text":"{\\"location\\":\\"Paris\\"}"}` };
    const first = await client.messages.create({
      model: 'claude-tools',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'tool', name: 'get_weather' },
      messages: [question],
    });
    assert.equal(first.stop_reason, 'tool_use');
    const toolUse = first.content.find((block) => block.type === 'tool_use');
    assert.ok(toolUse && toolUse.type === 'tool_use', JSON.stringify(first.content));
    assert.equal(toolUse.name, 'get_weather');
    assert.deepEqual(toolUse.input, { location: 'Paris' });

    const second = await client.messages.create({
      model: 'claude-tools',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      messages: [
        question,
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse.id, content: '15 degrees and sunny' }] },
      ],
    });
    // The mock's echo model answers a tool-result turn with the result.
    assert.deepEqual(second.content, [{ type: 'text', text: '15 degrees and sunny' }]);
    assert.equal(second.stop_reason, 'end_turn');
    assert.ok(!JSON.stringify([first, second]).includes(UPSTREAM_KEY));
  });

  it('streams a tool call from a streaming provider as input_json_delta, assembled by messages.stream', async () => {
    const stream = client.messages.stream({
      model: 'claude-tools',
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: `Weather in Oslo? #mock{"text":"{\\"location\\":\\"Oslo, Norway\\"}"}` }],
    });
    let partialJson = '';
    stream.on('inputJson', (delta) => {
      partialJson += delta;
    });
    const final = await stream.finalMessage();
    assert.equal(final.stop_reason, 'tool_use');
    assert.equal(final.content.length, 1, JSON.stringify(final.content));
    const [toolUse] = final.content;
    assert.ok(toolUse.type === 'tool_use');
    assert.equal(toolUse.name, 'get_weather');
    assert.deepEqual(toolUse.input, { location: 'Oslo, Norway' });
    assert.deepEqual(JSON.parse(partialJson), { location: 'Oslo, Norway' });
  });

  it('ends a stream that fails after its first tokens with an `error` event; the job records the failure', async () => {
    const { data: stream, response } = await client.messages
      .create({ model: 'claude-tools', max_tokens: 200, stream: true, messages: [{ role: 'user', content: 'one two three four five six seven #mock{"stream_fail_after":3}' }] })
      .withResponse();
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const event of stream) if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      })(),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.APIError, String(error));
        assert.ok(error.type, 'the error event names its type');
        return true;
      },
    );
    assert.ok(text.startsWith('one'), `text before the failure: ${JSON.stringify(text)}`);
    const job = (await http.get(`/v1/jobs/${response.headers.get('x-switchyard-job-id')}?wait=5`)).body as JobLike;
    assert.equal(job.status, 'failed', JSON.stringify(job));
  });

  it('answers a wrong key with the SDK’s AuthenticationError, in Anthropic’s error shape', async () => {
    const stranger = new Anthropic({ apiKey: 'sk-not-a-configured-key-000000', baseURL: gateway.baseUrl, maxRetries: 0 });
    await assert.rejects(stranger.messages.create({ model: 'mock-echo', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
      assert.equal(error.status, 401);
      assert.equal(error.type, 'authentication_error');
      return true;
    });
  });

  it('answers an unknown model with the SDK’s NotFoundError, plain and streamed', async () => {
    const request = { model: 'claude-nonexistent', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    await assert.rejects(client.messages.create(request), (error: unknown) => {
      assert.ok(error instanceof Anthropic.NotFoundError, String(error));
      assert.equal(error.type, 'not_found_error');
      assert.match(error.message, /claude-nonexistent/);
      return true;
    });
    await assert.rejects(client.messages.stream(request).finalMessage(), Anthropic.NotFoundError);
  });

  it('answers a streamed request whose job fails before any token with a plain HTTP error', async () => {
    const stream = client.messages.stream({ model: 'mock-echo', max_tokens: 10, messages: [{ role: 'user', content: 'fail #mock{"status":400}' }] });
    await assert.rejects(stream.finalMessage(), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError, String(error));
      assert.equal(error.type, 'invalid_request_error');
      assert.ok(error.headers?.get('x-switchyard-job-id'), 'the failed job is named');
      return true;
    });
  });

  it('refuses bad input with 400 in exactly Anthropic’s error shape', async () => {
    const response = await http.raw('POST', '/v1/messages', {
      body: JSON.stringify({ model: 'mock-echo', max_tokens: 10, temperature: 1.5, messages: [{ role: 'user', content: 'hi' }] }),
      headers: { 'content-type': 'application/json', authorization: undefined, 'x-api-key': TEAM_A_KEY },
    });
    assert.equal(response.status, 400);
    const body = response.body as { type: string; error: { type: string; message: string } };
    assert.deepEqual(Object.keys(body).sort(), ['error', 'type']);
    assert.equal(body.type, 'error');
    assert.deepEqual(Object.keys(body.error).sort(), ['message', 'type']);
    assert.equal(body.error.type, 'invalid_request_error');
    assert.match(body.error.message, /^temperature: /);
  });

  it('takes x-api-key on every route, and keeps the OpenAI error shape outside /v1/messages', async () => {
    const viaHeader = new Anthropic({ apiKey: null, baseURL: gateway.baseUrl, maxRetries: 0, defaultHeaders: { 'x-api-key': TEAM_A_KEY } });
    const message = await viaHeader.messages.create({ model: 'mock-echo', max_tokens: 10, messages: [{ role: 'user', content: 'keyed by header' }] });
    assert.deepEqual(message.content, [{ type: 'text', text: 'keyed by header' }]);
    const models = await http.raw('GET', '/v1/models', { headers: { authorization: undefined, 'x-api-key': TEAM_A_KEY } });
    assert.equal(models.status, 200, models.text);
    const refused = await http.raw('GET', '/v1/models', { headers: { authorization: undefined, 'x-api-key': 'sk-not-a-configured-key-000000' } });
    assert.equal(refused.status, 401);
    assert.equal((refused.body as { error: { type: string } }).error.type, 'authentication_error');
  });

  // Refused by Fastify's body parser or the router, before the route and its code run.
  const refusedBeforeTheRoute = [
    { name: 'malformed JSON', body: '{"model": "mock-echo", "messages": [', contentType: 'application/json', status: 400, anthropicType: 'invalid_request_error', code: 'invalid_json' },
    { name: 'a __proto__ key', body: '{"model":"mock-echo","max_tokens":5,"messages":[],"__proto__":{"admin":true}}', contentType: 'application/json', status: 400, anthropicType: 'invalid_request_error', code: 'invalid_json' },
    { name: 'an empty JSON body', body: '', contentType: 'application/json', status: 400, anthropicType: 'invalid_request_error', code: 'invalid_json' },
    { name: 'a text/plain body', body: 'hello', contentType: 'text/plain', status: 415, anthropicType: 'invalid_request_error', code: 'unsupported_media_type' },
    { name: 'a body over the size limit', body: JSON.stringify({ model: 'mock-echo', max_tokens: 5, messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] }), contentType: 'application/json', status: 413, anthropicType: 'request_too_large', code: 'request_too_large' },
  ];
  for (const refused of refusedBeforeTheRoute) {
    it(`answers ${refused.name} in Anthropic's shape on /v1/messages and OpenAI's elsewhere`, async () => {
      const headers = { 'content-type': refused.contentType };
      const anthropic = await http.raw('POST', '/v1/messages', { body: refused.body, headers });
      assert.equal(anthropic.status, refused.status, anthropic.text);
      assert.deepEqual(Object.keys(anthropic.body as object).sort(), ['error', 'type'], anthropic.text);
      const { type, error } = anthropic.body as { type: string; error: { type: string; message: string } };
      assert.equal(type, 'error');
      assert.deepEqual(Object.keys(error).sort(), ['message', 'type']);
      assert.equal(error.type, refused.anthropicType, anthropic.text);
      assert.ok(error.message.length > 0);
      const openai = await http.raw('POST', '/v1/chat/completions', { body: refused.body, headers });
      assert.equal(openai.status, refused.status, openai.text);
      const { error: openaiError } = openai.body as { error: { type: string; code: string | null; message: string } };
      assert.equal(openaiError.type, 'invalid_request_error', openai.text);
      assert.equal(openaiError.code, refused.code, openai.text);
      assert.equal(openaiError.message, error.message, 'the same refusal, in two shapes');
    });
  }

  it("answers an unknown path under /v1/messages in Anthropic's shape", async () => {
    const unknown = await http.raw('POST', '/v1/messages/count_tokens', { body: '{}', headers: { 'content-type': 'application/json' } });
    assert.equal(unknown.status, 404, unknown.text);
    assert.equal((unknown.body as { type: string; error: { type: string } }).error.type, 'not_found_error', unknown.text);
  });
});
