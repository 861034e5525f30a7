import { api, assertMatchesOpenAISchema, startMockProvider, stopAll, type ApiClient } from './support';
import assert, { AssertionError } from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

const UPSTREAM_KEY = 'sk-schema-upstream-0123456789';
const CHAT = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello to the schema.' }] };

/** The schemas the gateway answers with on its OpenAI surface. */
const GATEWAY_SCHEMAS = [
  'CreateChatCompletionResponse',
  'CreateChatCompletionStreamResponse',
  'CreateEmbeddingResponse',
  'ListModelsResponse',
  'Model',
  'ErrorResponse',
  'OpenAIFile',
  'ListFilesResponse',
  'DeleteFileResponse',
  'Batch',
  'ListBatchesResponse',
];

type Body = Record<string, unknown>;

/**
 * OpenAI sends `system_fingerprint: null` for some models, and so does the mock, but the spec types
 * it as a string only; the last test shows the check keeps that rule.
 */
function withoutNullFingerprint(body: Body): Body {
  const { system_fingerprint: fingerprint, ...rest } = body;
  return fingerprint === null ? rest : body;
}

function sseEvents(text: string): Body[] {
  return text
    .split('\n\n')
    .map((event) => event.replace(/^data: /, '').trim())
    .filter((data) => data.length > 0 && data !== '[DONE]')
    .map((data) => JSON.parse(data) as Body);
}

describe('assertMatchesOpenAISchema against the OpenAI OpenAPI description', () => {
  let upstream: ApiClient;
  let completion: Body;

  before(async () => {
    const mock = await startMockProvider({ MOCK_API_KEY: UPSTREAM_KEY });
    upstream = api(mock.baseUrl, UPSTREAM_KEY);
    const res = await upstream.post('/v1/chat/completions', CHAT);
    assert.equal(res.status, 200, res.text);
    completion = res.body as Body;
  });

  after(() => stopAll());

  it('passes a chat completion from the mock provider as CreateChatCompletionResponse', () => {
    assert.equal(completion.object, 'chat.completion');
    assertMatchesOpenAISchema(withoutNullFingerprint(completion), 'CreateChatCompletionResponse');
  });

  it('passes every chunk of a streamed completion with usage as CreateChatCompletionStreamResponse', async () => {
    const res = await upstream.post('/v1/chat/completions', { ...CHAT, stream: true, stream_options: { include_usage: true } });
    assert.equal(res.status, 200, res.text);
    const chunks = sseEvents(res.text);
    // `usage` is a `$ref` with an OpenAPI 3.0 `nullable: true`: null on every chunk but the last.
    assert.ok(chunks.some((chunk) => chunk.usage === null));
    assert.ok(chunks.some((chunk) => typeof chunk.usage === 'object' && chunk.usage !== null));
    for (const chunk of chunks) assertMatchesOpenAISchema(withoutNullFingerprint(chunk), 'CreateChatCompletionStreamResponse');
  });

  it('passes the mock provider embeddings, model list and 401 error', async () => {
    const embeddings = await upstream.post('/v1/embeddings', { model: 'text-embedding-3-small', input: 'The food was delicious.' });
    assert.equal(embeddings.status, 200, embeddings.text);
    assertMatchesOpenAISchema(embeddings.body, 'CreateEmbeddingResponse');
    const models = await upstream.get('/v1/models');
    assert.equal(models.status, 200, models.text);
    assertMatchesOpenAISchema(models.body, 'ListModelsResponse');
    const denied = await upstream.post('/v1/chat/completions', CHAT, { authorization: 'Bearer sk-wrong' });
    assert.equal(denied.status, 401, denied.text);
    assertMatchesOpenAISchema(denied.body, 'ErrorResponse');
  });

  it('fails a body with wrongly typed fields, listing each violation', () => {
    const choices = completion.choices as Body[];
    const choice = choices[0] as Body;
    const broken = {
      ...withoutNullFingerprint(completion),
      created: '2026-01-01',
      choices: [{ ...choice, message: { ...(choice.message as Body), content: 42 } }],
    };
    assert.throws(
      () => assertMatchesOpenAISchema(broken, 'CreateChatCompletionResponse'),
      (error: unknown) => {
        assert.ok(error instanceof AssertionError);
        assert.match(error.message, /^\s+\/created must be integer/m);
        assert.match(error.message, /^\s+\/choices\/0\/message\/content must be string/m);
        return true;
      },
    );
  });

  it('fails a missing required field', () => {
    const { id: _id, ...withoutId } = withoutNullFingerprint(completion);
    assert.throws(() => assertMatchesOpenAISchema(withoutId, 'CreateChatCompletionResponse'), /\(body\) must have required property 'id'/);
  });

  it('compiles every schema the gateway answers with, and rejects an empty object for each', () => {
    for (const name of GATEWAY_SCHEMAS) {
      assert.throws(() => assertMatchesOpenAISchema({}, name), AssertionError, name);
    }
  });

  it('names an unknown schema instead of passing', () => {
    assert.throws(() => assertMatchesOpenAISchema({}, 'CreateChatCompletionRespons'), /no schema named CreateChatCompletionRespons in components\.schemas/);
  });

  it('keeps the spec’s rule that system_fingerprint is a string, not null', () => {
    assert.equal(completion.system_fingerprint, null, 'the mock sends a null fingerprint; if it stops, drop withoutNullFingerprint');
    assert.throws(() => assertMatchesOpenAISchema(completion, 'CreateChatCompletionResponse'), /\/system_fingerprint must be string/);
  });
});
