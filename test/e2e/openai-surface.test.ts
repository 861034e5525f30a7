import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { api, assertMatchesOpenAISchema, PrivateRedis, startGateway, stopAll, type ApiClient, type Gateway } from '../support';
import { TEAM_A_KEY, TEAM_B_KEY, type JobLike } from './fixtures';

const LIMITED_KEY = 'sk-limited-0123456789abcdef';

/**
 * The in-process mock, a model whose first target refuses connections (an `openai` provider on a
 * dead port) before falling back to the mock, and a key allowed one request a minute.
 */
const CONFIG = `
server: { host: 127.0.0.1, interactive_wait_s: 2 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
    - { name: team-b, key: ${TEAM_B_KEY} }
    - { name: limited, key: ${LIMITED_KEY}, limits: { rpm: 1 } }
providers:
  mock: { type: mock, concurrency: 50 }
  dead:
    type: openai
    base_url: http://127.0.0.1:9/v1
    api_key: sk-dead-upstream-0000
    timeout_ms: 2000
    retries: 0
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-lorem:
    targets: [{ provider: mock, model: lorem }]
  dead-then-mock:
    targets: [{ provider: dead, model: gpt-4o-mini }, { provider: mock, model: lorem }]
  mock-embed:
    targets: [{ provider: mock, model: embed }]
`;

describe('OpenAI-compatible surface through the official SDK', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let client: OpenAI;
  let http: ApiClient;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
    client = new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    http = api(gateway.baseUrl, TEAM_A_KEY);
  });
  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('answers chat.completions.create with a chat.completion that is also a pollable job', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'hello sync' }] }).withResponse();
    assertMatchesOpenAISchema(data, 'CreateChatCompletionResponse');
    assert.equal(data.choices[0].message.content, 'hello sync');
    const jobId = response.headers.get('x-switchyard-job-id');
    assert.ok(jobId, 'job id header');
    const job = (await http.get(`/v1/jobs/${jobId}`)).body as JobLike & { priority: number };
    assert.equal(job.status, 'succeeded');
    assert.equal(job.priority, 1);
  });

  it('streams chat.completion.chunk events ending with [DONE], with usage when asked', async () => {
    const stream = await client.chat.completions.create({
      model: 'mock-lorem',
      messages: [{ role: 'user', content: 'write' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    for (const chunk of chunks) assertMatchesOpenAISchema(chunk, 'CreateChatCompletionStreamResponse');
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    assert.ok(text.length > 20, `streamed text: ${text}`);
    assert.ok(chunks.length > 3, `${chunks.length} chunks`);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.completion_tokens > 0, JSON.stringify(last));
    assert.ok(chunks.slice(0, -1).every((chunk) => chunk.usage === null));
    assert.equal(chunks.filter((chunk) => chunk.choices[0]?.finish_reason === 'stop').length, 1);

    const plain = await client.chat.completions.create({ model: 'mock-lorem', messages: [{ role: 'user', content: 'write' }], stream: true });
    const plainChunks = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    assert.ok(plainChunks.every((chunk) => chunk.choices.length === 1 && !('usage' in chunk)), 'no usage without include_usage');
    assert.equal(plainChunks.map((chunk) => chunk.choices[0].delta.content ?? '').join(''), text, 'the same deterministic answer');
  });

  it('falls back to the second target when the first fails before any token is streamed', async () => {
    const { data: stream, response } = await client.chat.completions
      .create({ model: 'dead-then-mock', messages: [{ role: 'user', content: 'fall back' }], stream: true })
      .withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.ok(text.length > 0);
    const job = (await http.get(`/v1/jobs/${response.headers.get('x-switchyard-job-id')}`)).body as JobLike;
    assert.equal(job.status, 'succeeded');
    assert.deepEqual(job.attempts.map((attempt) => [attempt.provider, attempt.outcome]), [['dead', 'failed'], ['mock', 'succeeded']]);
  });

  it('streams a cached answer as chunks too', async () => {
    const body = { model: 'mock-echo', messages: [{ role: 'user' as const, content: 'cache me' }], temperature: 0 };
    await client.chat.completions.create(body);
    const stream = await client.chat.completions.create({ ...body, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(text, 'cache me');
  });

  it('answers embeddings.create and lists and retrieves models', async () => {
    const embeddings = await client.embeddings.create({ model: 'mock-embed', input: ['one', 'two'] });
    assertMatchesOpenAISchema(embeddings, 'CreateEmbeddingResponse');
    assert.equal(embeddings.data.length, 2);
    const models = [];
    for await (const model of client.models.list()) models.push(model.id);
    assert.deepEqual(models.sort(), ['dead-then-mock', 'mock-echo', 'mock-embed', 'mock-lorem']);
    const model = await client.models.retrieve('mock-echo');
    assertMatchesOpenAISchema(model, 'Model');
  });

  it('raises the SDK error classes for 401, 404 and 429, in the OpenAI error shape', async () => {
    const stranger = new OpenAI({ apiKey: 'sk-not-a-key', baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    await assert.rejects(stranger.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'x' }] }), OpenAI.AuthenticationError);
    await assert.rejects(client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.NotFoundError);
      assertMatchesOpenAISchema(error.error === undefined ? {} : { error: error.error }, 'ErrorResponse');
      return true;
    });
    await assert.rejects(client.models.retrieve('no-such-model'), OpenAI.NotFoundError);
    const limited = new OpenAI({ apiKey: LIMITED_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    await limited.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'first' }] });
    await assert.rejects(limited.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'second' }] }), OpenAI.RateLimitError);
    await assert.rejects(client.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'x' }], api_base: 'http://evil' } as never), OpenAI.BadRequestError);
  });

  it('answers 504 with the job id past the wait, without the SDK retrying, and the job still finishes', async () => {
    const retrying = new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 2 });
    const started = Date.now();
    const error = await retrying.chat.completions
      .create({ model: 'mock-echo', messages: [{ role: 'user', content: 'slow #mock{"latency_ms":3500}' }] })
      .then(() => assert.fail('expected a 504'), (caught: unknown) => caught);
    assert.ok(error instanceof OpenAI.APIError, String(error));
    assert.equal(error.status, 504);
    assert.equal(error.code, 'job_still_running');
    assert.ok(Date.now() - started < 3500, 'one wait, not three');
    const jobId = error.headers?.get('x-switchyard-job-id');
    assert.ok(jobId);
    const done = (await http.get(`/v1/jobs/${jobId}?wait=10`)).body as JobLike;
    assert.equal(done.status, 'succeeded');
  });

  it('keeps one key from reading the job behind another key\'s call', async () => {
    const { response } = await client.chat.completions.create({ model: 'mock-echo', messages: [{ role: 'user', content: 'mine' }] }).withResponse();
    const other = await api(gateway.baseUrl, TEAM_B_KEY).get(`/v1/jobs/${response.headers.get('x-switchyard-job-id')}`);
    assert.equal(other.status, 404);
  });
});
