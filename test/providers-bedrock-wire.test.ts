import { PROVIDER_DEFAULTS, drain } from './support';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ProviderConfig } from '@switchyard/config';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { BedrockAdapter, ProviderError, classifyBedrockError, collectStream, normalizeConverseResponse } from '@switchyard/providers';
import type { FastifyInstance } from 'fastify';
import { request } from 'undici';
import { createMockProviderServer } from '../apps/mock-provider/src/mock-server';
import type { RequestRecord } from '../apps/mock-provider/src/request-log';
import type { WireRecord } from '../apps/mock-provider/src/wire-log';
import { freePort } from './support/free-port';
import { waitFor } from './support/wait';

// AWS's documented example credentials.
const ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const SESSION_TOKEN = 'FwoGZXIvYXdzEBYaDEXAMPLESESSIONTOKEN0123456789';
const MODEL = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const CONVERSE_PATH = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse';
const SIGNED_HEADERS = 'accept;amz-sdk-invocation-id;content-type;host;x-amz-content-sha256;x-amz-date';

function chat(text: string, extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'public-model-name', messages: [{ role: 'user', content: text }], ...extra };
}

function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  return promise.then(
    () => assert.fail('expected the call to fail'),
    (error: unknown) => {
      assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
      return error;
    },
  );
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

interface Ctx {
  model: string;
  signal: AbortSignal;
  jobId: string;
  warnings: string[];
  warn(message: string): void;
}

function ctx(jobId: string, model = MODEL, signal: AbortSignal = new AbortController().signal): Ctx {
  const warnings: string[] = [];
  return { model, signal, jobId, warnings, warn: (message) => warnings.push(message) };
}

describe('BedrockAdapter against apps/mock-provider (SigV4 verified by the mock)', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let host: string;
  let adapter: BedrockAdapter;
  const adapters: BedrockAdapter[] = [];

  function config(overrides: Partial<ProviderConfig> = {}, options: Record<string, unknown> = {}): ProviderConfig {
    return {
      ...PROVIDER_DEFAULTS,
      name: 'bedrock-primary',
      type: 'bedrock',
      baseUrl,
      timeoutMs: 10_000,
      concurrency: 4,
      options: { region: 'us-east-1', access_key_id: ACCESS_KEY_ID, secret_access_key: SECRET, ...options },
      ...overrides,
    };
  }

  function extraAdapter(overrides: Partial<ProviderConfig> = {}, options: Record<string, unknown> = {}): BedrockAdapter {
    const created = new BedrockAdapter(config(overrides, options));
    adapters.push(created);
    return created;
  }

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function wire(limit = 1): Promise<WireRecord[]> {
    return (await control<{ data: WireRecord[] }>(`/_control/wire?limit=${limit}`)).data;
  }

  async function lastWire(): Promise<WireRecord> {
    const [record] = await wire(1);
    return record;
  }

  async function clearWire(): Promise<void> {
    await request(`${baseUrl}/_control/wire`, { method: 'DELETE' });
  }

  async function recordsFor(jobId: string): Promise<RequestRecord[]> {
    return (await control<{ data: RequestRecord[] }>(`/_control/requests?request_id=${encodeURIComponent(jobId)}`)).data;
  }

  /** The exact request line, headers and body; the date and signature vary, so their shape is checked. */
  function assertSignedPost(record: WireRecord, path: string, jobId: string, body: unknown, signedHeaders = SIGNED_HEADERS): void {
    assert.equal(record.method, 'POST');
    assert.equal(record.path, path);
    assert.equal(record.query, '');
    assert.deepEqual(record.body, body);
    const raw = JSON.stringify(body);
    const { 'x-amz-date': date, authorization, 'x-amz-security-token': token, ...rest } = record.headers;
    assert.deepEqual(rest, {
      host,
      connection: 'keep-alive',
      'content-type': 'application/json',
      accept: 'application/json',
      'amz-sdk-invocation-id': jobId,
      'x-amz-content-sha256': sha256Hex(raw),
      'content-length': String(Buffer.byteLength(raw)),
    });
    assert.equal(token, signedHeaders.includes('x-amz-security-token') ? SESSION_TOKEN : undefined);
    assert.match(String(date), /^\d{8}T\d{6}Z$/);
    const scope = `${ACCESS_KEY_ID}/${String(date).slice(0, 8)}/us-east-1/bedrock/aws4_request`;
    assert.match(String(authorization), new RegExp(`^AWS4-HMAC-SHA256 Credential=${scope}, SignedHeaders=${signedHeaders}, Signature=[0-9a-f]{64}$`));
  }

  before(async () => {
    server = createMockProviderServer({ aws: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    host = new URL(baseUrl).host;
    adapter = extraAdapter();
  });

  after(async () => {
    await Promise.all(adapters.map((a) => a.close()));
    await server.close();
  });

  describe('requests and their normalized answers', () => {
    it('sends a plain chat to /model/{modelId}/converse, URL-encoded and signed, and normalizes the answer', async () => {
      const completion = await adapter.generate(chat('hello bedrock'), ctx('job-plain'));
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-plain', { messages: [{ role: 'user', content: [{ text: 'hello bedrock' }] }] });
      assert.match(completion.id, /^chatcmpl-[0-9a-f-]{36}$/);
      assert.equal(completion.object, 'chat.completion');
      assert.equal(completion.model, MODEL);
      assert.deepEqual(completion.choices, [
        { index: 0, message: { role: 'assistant', content: 'hello bedrock', refusal: null }, finish_reason: 'stop', logprobs: null },
      ]);
      assert.deepEqual(completion.usage, { prompt_tokens: 4, completion_tokens: 2, total_tokens: 6 });
      const [record] = await recordsFor('job-plain');
      assert.equal(record.status, 200);
      assert.equal(record.model, MODEL);
      assert.equal(record.has_authorization, true);
    });

    it('signs what the official signer recomputes from the wire record', async () => {
      await adapter.generate(chat('recompute me'), ctx('job-recompute'));
      const record = await lastWire();
      const date = String(record.headers['x-amz-date']);
      const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}T${date.slice(9, 11)}:${date.slice(11, 13)}:${date.slice(13, 15)}Z`);
      const signer = new SignatureV4({ service: 'bedrock', region: 'us-east-1', credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET }, sha256: Sha256 });
      const headers: Record<string, string> = {};
      for (const name of SIGNED_HEADERS.split(';')) headers[name] = String(record.headers[name]);
      const resigned = await signer.sign(
        { method: 'POST', protocol: 'http:', hostname: host, path: record.path, query: {}, headers, body: JSON.stringify(record.body) },
        { signingDate },
      );
      assert.equal(resigned.headers.authorization, record.headers.authorization);
    });

    it('lifts the system prompt out of the messages and maps the sampling parameters to inferenceConfig', async () => {
      const completion = await adapter.generate(
        {
          model: 'public',
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
            { role: 'user', content: 'say hi' },
          ],
          temperature: 0.2,
          top_p: 0.9,
          max_tokens: 50,
        },
        ctx('job-system'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-system', {
        messages: [{ role: 'user', content: [{ text: 'say hi' }] }],
        system: [{ text: 'You are terse.' }, { text: 'Answer in English.' }],
        inferenceConfig: { maxTokens: 50, temperature: 0.2, topP: 0.9 },
      });
      assert.equal(completion.choices[0].message.content, 'say hi');
    });

    it('sends a temperature above Converse\'s maximum of 1 as 1, with a warning', async () => {
      const call = ctx('job-hot');
      await adapter.generate(chat('hot', { temperature: 1.5 }), call);
      assert.deepEqual((await lastWire()).body, { messages: [{ role: 'user', content: [{ text: 'hot' }] }], inferenceConfig: { temperature: 1 } });
      assert.deepEqual(call.warnings, ["bedrock-primary: temperature 1.5 is above Bedrock's maximum; sent as 1"]);
    });

    it('prefers max_completion_tokens, and cuts the answer with finish_reason length', async () => {
      const completion = await adapter.generate(chat('one two three four five', { max_tokens: 100, max_completion_tokens: 3 }), ctx('job-length'));
      assert.deepEqual((await lastWire()).body, {
        messages: [{ role: 'user', content: [{ text: 'one two three four five' }] }],
        inferenceConfig: { maxTokens: 3 },
      });
      assert.equal(completion.choices[0].message.content, 'one two three');
      assert.equal(completion.choices[0].finish_reason, 'length');
    });

    it('sends a multi-turn conversation with alternating roles, merging consecutive user turns', async () => {
      const completion = await adapter.generate(
        {
          model: 'public',
          messages: [
            { role: 'user', content: 'My name is Ada.' },
            { role: 'assistant', content: 'Nice to meet you, Ada.' },
            { role: 'user', content: 'What is my name?' },
            { role: 'user', content: 'Answer briefly.' },
          ],
        },
        ctx('job-multi'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-multi', {
        messages: [
          { role: 'user', content: [{ text: 'My name is Ada.' }] },
          { role: 'assistant', content: [{ text: 'Nice to meet you, Ada.' }] },
          { role: 'user', content: [{ text: 'What is my name?' }, { text: 'Answer briefly.' }] },
        ],
      });
      // The mock echoes the last user turn's text.
      assert.equal(completion.choices[0].message.content, 'What is my name?\nAnswer briefly.');
    });

    it('passes on Bedrock\'s refusal of a conversation that does not start with a user turn', async () => {
      const error = await providerError(
        adapter.generate({ model: 'public', messages: [{ role: 'assistant', content: 'I speak first.' }, { role: 'user', content: 'hi' }] }, ctx('job-order')),
      );
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /ValidationException: A conversation must start with a user message\./);
    });

    it('sends a base64 data URL image as image bytes with its format', async () => {
      const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
      const completion = await adapter.generate(
        {
          model: 'public',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'What is in this image?' },
                { type: 'image_url', image_url: { url: `data:image/png;base64,${png}`, detail: 'low' } },
              ],
            },
          ],
        },
        ctx('job-image'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-image', {
        messages: [{ role: 'user', content: [{ text: 'What is in this image?' }, { image: { format: 'png', source: { bytes: png } } }] }],
      });
      assert.equal(completion.choices[0].message.content, 'What is in this image?');
    });

    it('refuses an http image URL (Converse takes bytes only) unless unsupported_params is drop', async () => {
      const request: ChatRequest = {
        model: 'public',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe it.' },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } },
            ],
          },
        ],
      };
      await clearWire();
      const error = await providerError(adapter.generate(request, ctx('job-url-image')));
      assert.equal(error.kind, 'invalid_request');
      assert.match(error.message, /image URLs/);
      assert.deepEqual(await wire(), [], 'nothing was sent');

      const dropping = extraAdapter({ unsupportedParams: 'drop' });
      const call = ctx('job-url-image-drop');
      const completion = await dropping.generate(request, call);
      assert.deepEqual((await lastWire()).body, { messages: [{ role: 'user', content: [{ text: 'Describe it.' }] }] });
      assert.equal(completion.choices[0].message.content, 'Describe it.');
      assert.deepEqual(call.warnings, ['bedrock-primary does not support image URLs; 1 image(s) dropped']);
    });

    it('sends tools with a forced tool choice and normalizes the toolUse block into a tool call', async () => {
      const tools: ChatRequest['tools'] = [
        {
          type: 'function',
          function: {
            name: 'top_song',
            description: 'Get the most popular song played on a radio station.',
            parameters: { type: 'object', properties: { sign: { type: 'string' } }, required: ['sign'] },
          },
        },
        { type: 'function', function: { name: 'no_args' } },
      ];
      const completion = await adapter.generate(
        chat('{"sign":"WZPZ"}', { tools, tool_choice: { type: 'function', function: { name: 'top_song' } } }),
        ctx('job-tools'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-tools', {
        messages: [{ role: 'user', content: [{ text: '{"sign":"WZPZ"}' }] }],
        toolConfig: {
          tools: [
            {
              toolSpec: {
                name: 'top_song',
                description: 'Get the most popular song played on a radio station.',
                inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } }, required: ['sign'] } },
              },
            },
            { toolSpec: { name: 'no_args', inputSchema: { json: { type: 'object', properties: {} } } } },
          ],
          toolChoice: { tool: { name: 'top_song' } },
        },
      });
      const [choice] = completion.choices;
      assert.equal(choice.finish_reason, 'tool_calls');
      assert.equal(choice.message.content, null);
      assert.equal(choice.message.tool_calls?.length, 1);
      const [call] = choice.message.tool_calls ?? [];
      assert.match(call.id, /^tooluse_/);
      assert.deepEqual({ type: call.type, function: call.function }, { type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } });

      await adapter.generate(chat('pick one', { tools, tool_choice: 'required' }), ctx('job-tools-any'));
      const body = (await lastWire()).body as { toolConfig: { toolChoice: unknown } };
      assert.deepEqual(body.toolConfig.toolChoice, { any: {} });
    });

    it('sends a tool-result turn: toolUse in the assistant turn, the results together in one user turn', async () => {
      const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'top_song', parameters: { type: 'object', properties: { sign: { type: 'string' } } } } }];
      const completion = await adapter.generate(
        {
          model: 'public',
          tools,
          tool_choice: 'auto',
          messages: [
            { role: 'user', content: 'What are the top songs on WZPZ and WKRP?' },
            {
              role: 'assistant',
              content: 'Let me look.',
              tool_calls: [
                { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } },
                { id: 'tooluse_2', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WKRP"}' } },
              ],
            },
            { role: 'tool', tool_call_id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: 'Elemental Hotel by 8 Storey Hike' },
            { role: 'tool', tool_call_id: 'tooluse_2', content: [{ type: 'text', text: 'Stay by Sky' }] },
          ],
        },
        ctx('job-tool-result'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-tool-result', {
        messages: [
          { role: 'user', content: [{ text: 'What are the top songs on WZPZ and WKRP?' }] },
          {
            role: 'assistant',
            content: [
              { text: 'Let me look.' },
              { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
              { toolUse: { toolUseId: 'tooluse_2', name: 'top_song', input: { sign: 'WKRP' } } },
            ],
          },
          {
            role: 'user',
            content: [
              { toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ text: 'Elemental Hotel by 8 Storey Hike' }] } },
              { toolResult: { toolUseId: 'tooluse_2', content: [{ text: 'Stay by Sky' }] } },
            ],
          },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'top_song', inputSchema: { json: { type: 'object', properties: { sign: { type: 'string' } } } } } }], toolChoice: { auto: {} } },
      });
      assert.equal(completion.choices[0].message.content, 'Elemental Hotel by 8 Storey Hike\nStay by Sky');
      assert.equal(completion.choices[0].finish_reason, 'stop');
    });

    it('expresses tool_choice none by sending no tools, and refuses it once the history used tools', async () => {
      const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'top_song' } }];
      await adapter.generate(chat('no tools please', { tools, tool_choice: 'none' }), ctx('job-none'));
      assert.deepEqual((await lastWire()).body, { messages: [{ role: 'user', content: [{ text: 'no tools please' }] }] });
      const error = await providerError(
        adapter.generate(
          {
            model: 'public',
            tools,
            tool_choice: 'none',
            messages: [
              { role: 'user', content: 'hi' },
              { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'top_song', arguments: '{}' } }] },
              { role: 'tool', tool_call_id: 't1', content: 'x' },
            ],
          },
          ctx('job-none-history'),
        ),
      );
      assert.equal(error.kind, 'invalid_request');
    });

    it('sends json_schema output as outputConfig.textFormat with the schema as a string', async () => {
      const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
      const completion = await adapter.generate(
        chat('{"city":"Paris"}', { response_format: { type: 'json_schema', json_schema: { name: 'place', description: 'A place', schema, strict: true } } }),
        ctx('job-schema'),
      );
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-schema', {
        messages: [{ role: 'user', content: [{ text: '{"city":"Paris"}' }] }],
        outputConfig: { textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'place', description: 'A place' } } } },
      });
      assert.deepEqual(JSON.parse(completion.choices[0].message.content ?? ''), { city: 'Paris' });
    });

    it('sends stop sequences as inferenceConfig.stopSequences, a single string as a list', async () => {
      await adapter.generate(chat('count', { stop: ['END', '###'] }), ctx('job-stop'));
      assertSignedPost(await lastWire(), CONVERSE_PATH, 'job-stop', {
        messages: [{ role: 'user', content: [{ text: 'count' }] }],
        inferenceConfig: { stopSequences: ['END', '###'] },
      });
      await adapter.generate(chat('count', { stop: 'END' }), ctx('job-stop-one'));
      assert.deepEqual((await lastWire()).body, { messages: [{ role: 'user', content: [{ text: 'count' }] }], inferenceConfig: { stopSequences: ['END'] } });
    });

    it('drops hints Converse cannot express with a warning, and refuses n, json_object and parallel meanings', async () => {
      const call = ctx('job-drop');
      await adapter.generate(chat('hints', { seed: 7, user: 'u-1', presence_penalty: 0.5, frequency_penalty: 0.5, parallel_tool_calls: false }), call);
      assert.deepEqual((await lastWire()).body, { messages: [{ role: 'user', content: [{ text: 'hints' }] }] });
      assert.equal(call.warnings.length, 1);
      assert.match(call.warnings[0], /does not support seed, presence_penalty, frequency_penalty, user, parallel_tool_calls; dropped/);
      for (const extra of [{ n: 2 }, { response_format: { type: 'json_object' as const } }]) {
        const error = await providerError(adapter.generate(chat('x', extra), ctx('job-refuse')));
        assert.equal(error.kind, 'invalid_request');
      }
    });

    it('sends the session token when configured, signed with the rest', async () => {
      const temporary = extraAdapter({}, { session_token: SESSION_TOKEN });
      const completion = await temporary.generate(chat('temporary credentials'), ctx('job-session'));
      assertSignedPost(
        await lastWire(),
        CONVERSE_PATH,
        'job-session',
        { messages: [{ role: 'user', content: [{ text: 'temporary credentials' }] }] },
        'accept;amz-sdk-invocation-id;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token',
      );
      assert.equal(completion.choices[0].message.content, 'temporary credentials');
    });
  });

  describe('the signature', () => {
    it('refuses a request signed with a wrong secret as authentication, without the secret anywhere', async () => {
      const wrongSecret = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYWRONGSECRET';
      const wrong = extraAdapter({}, { secret_access_key: wrongSecret, session_token: SESSION_TOKEN });
      const error = await providerError(wrong.generate(chat('hi'), ctx('job-bad-secret')));
      assert.equal(error.kind, 'authentication');
      assert.equal(error.status, 403);
      assert.equal(error.retryable, false);
      assert.match(error.message, /^bedrock-primary answered 403: InvalidSignatureException: The request signature we calculated does not match/);
      const seen = [error.message, error.body ?? '', JSON.stringify(error), String(error.stack)].join('\n');
      for (const secret of [wrongSecret, SECRET, SESSION_TOKEN]) assert.ok(!seen.includes(secret), `a credential leaked: ${seen}`);
      const [record] = await recordsFor('job-bad-secret');
      assert.equal(record.status, 403);
    });

    it('refuses an unknown access key id as UnrecognizedClientException', async () => {
      const stranger = extraAdapter({}, { access_key_id: 'AKIAI44QH8DHBEXAMPLE' });
      const error = await providerError(stranger.generate(chat('hi'), ctx('job-bad-key')));
      assert.equal(error.kind, 'authentication');
      assert.match(error.message, /UnrecognizedClientException: The security token included in the request is invalid\./);
    });

    it('accepts a replay of the exact signed request and refuses it once the body is changed', async () => {
      await adapter.generate(chat('original body'), ctx('job-replay'));
      const record = await lastWire();
      const headers = Object.fromEntries(
        Object.entries(record.headers).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && !['connection', 'content-length', 'host'].includes(entry[0])),
      );
      const send = (body: string) => request(`${baseUrl}${record.path}`, { method: 'POST', headers, body });
      const exact = await send(JSON.stringify(record.body));
      assert.equal(exact.statusCode, 200);
      await exact.body.dump();
      const tampered = await send(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'tampered body' }] }] }));
      assert.equal(tampered.statusCode, 403);
      assert.match(String(tampered.headers['x-amzn-errortype']), /^InvalidSignatureException:/);
      assert.deepEqual(await tampered.body.json(), {
        message:
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
      });
    });

    it('answers an unsigned request with MissingAuthenticationTokenException', async () => {
      const response = await request(`${baseUrl}${CONVERSE_PATH}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] }),
      });
      assert.equal(response.statusCode, 403);
      assert.match(String(response.headers['x-amzn-errortype']), /^MissingAuthenticationTokenException:/);
      assert.deepEqual(await response.body.json(), { message: 'Missing Authentication Token' });
    });
  });

  describe('errors in Bedrock\'s shape', () => {
    it('classifies a ThrottlingException 429 as rate_limited (Bedrock sends no retry-after)', async () => {
      const error = await providerError(adapter.generate(chat('#mock{"status": 429, "retry_after_s": 2}'), ctx('job-429')));
      assert.equal(error.kind, 'rate_limited');
      assert.equal(error.status, 429);
      assert.equal(error.retryAfterMs, undefined);
      assert.equal(error.retryable, true);
      assert.match(error.message, /^bedrock-primary answered 429: ThrottlingException: Your request was throttled/);
      assert.match(error.body ?? '', /"message":"Your request was throttled/);
    });

    it('classifies each status by the exception Bedrock names for it', async () => {
      const expected: Array<[number, string, string]> = [
        [400, 'invalid_request', 'ValidationException'],
        [401, 'authentication', 'UnrecognizedClientException'],
        [403, 'permission', 'AccessDeniedException'],
        [404, 'not_found', 'ResourceNotFoundException'],
        [408, 'timeout', 'ModelTimeoutException'],
        [424, 'server_error', 'ModelErrorException'],
        [500, 'server_error', 'InternalServerException'],
        [503, 'overloaded', 'ServiceUnavailableException'],
      ];
      for (const [status, kind, type] of expected) {
        const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}}`), ctx(`job-status-${status}`)));
        assert.equal(error.kind, kind, `status ${status}`);
        assert.match(error.message, new RegExp(`: ${type}: `), `status ${status}`);
      }
    });

    it('classifies exceptions a status alone does not tell apart', async () => {
      const expected: Array<[string, string, number]> = [
        ['ModelNotReadyException', 'overloaded', 429],
        ['ServiceQuotaExceededException', 'rate_limited', 400],
        ['context_length_exceeded', 'context_length_exceeded', 400],
      ];
      for (const [code, kind, status] of expected) {
        const error = await providerError(adapter.generate(chat(`#mock{"status": ${status}, "error_code": "${code}"}`), ctx(`job-code-${code}`)));
        assert.equal(error.kind, kind, code);
        assert.equal(error.status, status, code);
      }
      const context = await providerError(adapter.generate(chat('#mock{"status": 400, "error_code": "context_length_exceeded"}'), ctx('job-ctx')));
      assert.equal(context.kind, 'context_length_exceeded');
      assert.match(context.message, /ValidationException: Input is too long for requested model\./);
      assert.equal(context.retryable, false);
      assert.equal(context.fallback, false);
    });

    // Bedrock answers these with 200 and a stopReason, so the directive's status is only the trigger.
    it('normalizes a content-filtered or guardrail-stopped answer to finish_reason content_filter', async () => {
      const filtered = await adapter.generate(chat('#mock{"status": 400, "error_code": "content_filter"}'), ctx('job-filter'));
      assert.equal(filtered.choices[0].finish_reason, 'content_filter');
      assert.equal(filtered.choices[0].message.content, null);
      const guarded = await adapter.generate(chat('#mock{"status": 400, "error_code": "guardrail_intervened"}'), ctx('job-guardrail'));
      assert.equal(guarded.choices[0].finish_reason, 'content_filter');
      assert.equal(guarded.choices[0].message.content, 'Sorry, the model cannot answer this question.');
    });

    it('cancels a hanging call on abort, and the mock sees the connection close', async () => {
      const controller = new AbortController();
      const call = adapter.generate(chat('#mock{"hang": true}'), ctx('job-abort', MODEL, controller.signal));
      await waitFor(async () => (await recordsFor('job-abort')).length === 1, { message: 'the mock to receive the call' });
      controller.abort();
      const error = await providerError(call);
      assert.equal(error.kind, 'canceled');
      await waitFor(async () => (await recordsFor('job-abort'))[0]?.aborted === true, { message: 'the mock to see the abort' });
    });

    it('gives up after timeoutMs with kind timeout', async () => {
      const slow = extraAdapter({ timeoutMs: 200 });
      const error = await providerError(slow.generate(chat('#mock{"latency_ms": 5000}'), ctx('job-timeout')));
      assert.equal(error.kind, 'timeout');
    });

    it('reports a refused connection as network', async () => {
      const refused = extraAdapter({ baseUrl: `http://127.0.0.1:${await freePort()}` });
      const error = await providerError(refused.generate(chat('hi'), ctx('job-refused')));
      assert.equal(error.kind, 'network');
    });
  });

  describe('embeddings through InvokeModel', () => {
    it('embeds with Titan Text Embeddings v2, one call per input, and sums the token counts', async () => {
      await clearWire();
      const titan = 'amazon.titan-embed-text-v2:0';
      const response = await adapter.embed({ model: 'public', input: ['first text', 'second'], dimensions: 256 }, ctx('job-titan', titan));
      const records = await wire(5);
      assert.equal(records.length, 2);
      assertSignedPost(records[0], '/model/amazon.titan-embed-text-v2%3A0/invoke', 'job-titan', { inputText: 'first text', dimensions: 256, normalize: true });
      assertSignedPost(records[1], '/model/amazon.titan-embed-text-v2%3A0/invoke', 'job-titan', { inputText: 'second', dimensions: 256, normalize: true });
      assert.equal(response.object, 'list');
      assert.equal(response.model, titan);
      assert.deepEqual(response.data.map((item) => [item.index, (item.embedding as number[]).length]), [[0, 256], [1, 256]]);
      // The mock counts ceil(characters / 4) per text, reported as inputTextTokenCount.
      assert.deepEqual(response.usage, { prompt_tokens: 3 + 2, total_tokens: 5 });

      const encoded = await adapter.embed({ model: 'public', input: 'first text', dimensions: 256, encoding_format: 'base64' }, ctx('job-titan-b64', titan));
      const floats = new Float32Array(new Uint8Array(Buffer.from(String(encoded.data[0].embedding), 'base64')).buffer);
      assert.equal(floats.length, 256);
      assert.ok(Math.abs(floats[0] - (response.data[0].embedding as number[])[0]) < 1e-6);
    });

    it('embeds with Cohere Embed in one call, reading the token count from the response header', async () => {
      const cohere = 'cohere.embed-english-v3';
      const response = await adapter.embed({ model: 'public', input: ['alpha', 'beta gamma'] }, ctx('job-cohere', cohere));
      assertSignedPost(await lastWire(), '/model/cohere.embed-english-v3/invoke', 'job-cohere', { texts: ['alpha', 'beta gamma'], input_type: 'search_document' });
      assert.deepEqual(response.data.map((item) => [item.index, (item.embedding as number[]).length]), [[0, 1024], [1, 1024]]);
      assert.deepEqual(response.usage, { prompt_tokens: 2 + 3, total_tokens: 5 });
    });

    it('refuses embeddings for a model whose InvokeModel body it does not speak, without a call', async () => {
      await clearWire();
      const error = await providerError(adapter.embed({ model: 'public', input: 'x' }, ctx('job-embed-unknown', 'amazon.titan-embed-image-v1')));
      assert.equal(error.kind, 'invalid_request');
      assert.deepEqual(await wire(), []);
    });

    it('classifies an InvokeModel failure like a Converse one', async () => {
      const error = await providerError(adapter.embed({ model: 'public', input: '#mock{"status": 429}' }, ctx('job-embed-429', 'cohere.embed-english-v3')));
      assert.equal(error.kind, 'rate_limited');
    });
  });
});

describe('BedrockAdapter configuration', () => {
  const base: ProviderConfig = { ...PROVIDER_DEFAULTS, name: 'aws', type: 'bedrock', timeoutMs: 1000, concurrency: 1, options: {} };

  it('names the missing or wrong option by its key path, never its value', () => {
    assert.throws(() => new BedrockAdapter({ ...base, options: { access_key_id: 'AKID', secret_access_key: 'shh' } }), {
      message: 'providers.aws.options.region: is required',
    });
    assert.throws(() => new BedrockAdapter({ ...base, options: { region: 'us-east-1', access_key_id: 'AKID' } }), {
      message: 'providers.aws.options.secret_access_key: is required',
    });
    assert.throws(() => new BedrockAdapter({ ...base, options: { region: 'us-east-1', access_key_id: 'AKID', secret_access_key: 42 } }), {
      message: 'providers.aws.options.secret_access_key: must be a string',
    });
    assert.throws(() => new BedrockAdapter({ ...base, options: { region: 'us-east-1', access_key_id: 'AKID', secret_access_key: 'shh', sesion_token: 't' } }), {
      message: /^providers\.aws\.options\.sesion_token: is not an option/,
    });
  });
});

describe('Converse response normalization and error classification', () => {
  const identity = { id: 'chatcmpl-x', model: MODEL, created: 1 };

  it('maps the documented toolUse example and counts cache reads into prompt_tokens', () => {
    const completion = normalizeConverseResponse(
      {
        output: {
          message: {
            role: 'assistant',
            content: [
              { text: 'I will look up the top song.' },
              { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
            ],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 375, outputTokens: 36, totalTokens: 1487, cacheReadInputTokens: 1076, cacheWriteInputTokens: 0 },
        metrics: { latencyMs: 1275 },
      },
      identity,
    );
    assert.deepEqual(completion?.choices[0], {
      index: 0,
      message: {
        role: 'assistant',
        content: 'I will look up the top song.',
        refusal: null,
        tool_calls: [{ id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }],
      },
      finish_reason: 'tool_calls',
      logprobs: null,
    });
    assert.deepEqual(completion?.usage, { prompt_tokens: 1451, completion_tokens: 36, total_tokens: 1487, prompt_tokens_details: { cached_tokens: 1076 } });
  });

  it('maps every stop reason into the closed finish_reason set', () => {
    const expected: Array<[string, string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['model_context_window_exceeded', 'length'],
      ['tool_use', 'tool_calls'],
      ['guardrail_intervened', 'content_filter'],
      ['content_filtered', 'content_filter'],
      ['something_new', 'stop'],
    ];
    for (const [stopReason, finish] of expected) {
      const completion = normalizeConverseResponse({ output: { message: { role: 'assistant', content: [{ text: 'x' }] } }, stopReason }, identity);
      assert.equal(completion?.choices[0].finish_reason, finish, stopReason);
      assert.deepEqual(completion?.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    }
    assert.equal(normalizeConverseResponse({ choices: [] }, identity), undefined);
  });

  it('reads the error type from the header in any restJson1 spelling, or from the body', () => {
    const answer = (status: number, headers: Record<string, string>, body: object) => ({ status, headers, text: JSON.stringify(body) });
    const spellings = [
      'ThrottlingException',
      'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/',
      'com.amazon.bedrock#ThrottlingException',
      'com.amazon.bedrock#ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.validate/',
    ];
    for (const type of spellings) {
      assert.deepEqual(classifyBedrockError(answer(400, { 'x-amzn-errortype': type }, { message: 'Too many tokens' })), {
        kind: 'rate_limited',
        message: 'ThrottlingException: Too many tokens',
      });
    }
    assert.equal(classifyBedrockError(answer(403, {}, { __type: 'ExpiredTokenException', message: 'expired' })).kind, 'authentication');
    assert.equal(classifyBedrockError(answer(403, {}, { message: 'no type at all' })).kind, 'permission');
    const validation = (message: string) => classifyBedrockError(answer(400, { 'x-amzn-errortype': 'ValidationException' }, { message })).kind;
    assert.equal(validation('The model returned the following errors: prompt is too long: 227255 tokens > 200000 maximum'), 'context_length_exceeded');
    assert.equal(validation('This request has been blocked by our content filters.'), 'content_filter');
    assert.equal(validation('A conversation must start with a user message.'), 'invalid_request');
  });
});

const STREAM_PATH = '/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream';

function streamConfig(baseUrl: string, overrides: Partial<ProviderConfig> = {}): ProviderConfig {
  return {
    ...PROVIDER_DEFAULTS,
    name: 'bedrock-primary',
    type: 'bedrock',
    baseUrl,
    timeoutMs: 10_000,
    concurrency: 4,
    options: { region: 'us-east-1', access_key_id: ACCESS_KEY_ID, secret_access_key: SECRET },
    ...overrides,
  };
}

describe('BedrockAdapter streaming through ConverseStream against apps/mock-provider', () => {
  let server: FastifyInstance;
  let baseUrl: string;
  let adapter: BedrockAdapter;

  async function control<T>(path: string): Promise<T> {
    const response = await request(`${baseUrl}${path}`);
    return (await response.body.json()) as T;
  }

  async function sentFor(jobId: string): Promise<WireRecord> {
    const { data } = await control<{ data: WireRecord[] }>('/_control/wire?limit=500');
    const records = data.filter((record) => record.headers['amz-sdk-invocation-id'] === jobId);
    assert.equal(records.length, 1, `one request for ${jobId}`);
    return records[0];
  }

  before(async () => {
    server = createMockProviderServer({ aws: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET } });
    baseUrl = await server.listen({ host: '127.0.0.1', port: 0 });
    adapter = new BedrockAdapter(streamConfig(baseUrl));
  });

  after(async () => {
    await adapter.close();
    await server.close();
  });

  it('signs a POST to converse-stream with the Converse body and reads the event-stream frames into chunks that add up to generate()', async () => {
    const chunks = await drain(adapter.stream(chat('Write a short greeting', { max_tokens: 50 }), ctx('job-stream-text')));
    const sent = await sentFor('job-stream-text');
    assert.equal(sent.path, STREAM_PATH);
    assert.equal(sent.headers.accept, 'application/vnd.amazon.eventstream');
    assert.match(String(sent.headers.authorization), /SignedHeaders=accept;amz-sdk-invocation-id;content-type;host;x-amz-content-sha256;x-amz-date, Signature=/);
    assert.deepEqual(sent.body, { messages: [{ role: 'user', content: [{ text: 'Write a short greeting' }] }], inferenceConfig: { maxTokens: 50 } });

    assert.match(chunks[0].id, /^chatcmpl-[0-9a-f-]{36}$/, 'named by the x-amzn-requestid of the stream');
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: 'Write' });
    const generated = await adapter.generate(chat('Write a short greeting', { max_tokens: 50 }), ctx('job-stream-text-plain'));
    const collected = collectStream(chunks);
    assert.deepEqual(collected.choices, generated.choices);
    assert.deepEqual(collected.usage, generated.usage);
    assert.deepEqual(chunks.at(-1)?.choices, []);
  });

  it('streams a toolUse block as a tool call: id and name from contentBlockStart, the input in fragments', async () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'top_song', parameters: { type: 'object', properties: { sign: { type: 'string' } } } } }];
    const input = '{"sign":"WZPZ","station":"Radio Free Mars"}';
    const chunks = await drain(adapter.stream(chat(input, { tools, tool_choice: 'required' }), ctx('job-stream-tool')));
    const pieces = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    assert.ok(pieces.length > 2);
    assert.match(pieces[0].id ?? '', /^tooluse_/);
    assert.deepEqual(pieces[0].function, { name: 'top_song', arguments: '' });
    const collected = collectStream(chunks);
    assert.equal(collected.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(collected.choices[0].message.tool_calls, [{ id: pieces[0].id, type: 'function', function: { name: 'top_song', arguments: input } }]);
  });

  it('fails before the stream as generate() does: a throttle is rate_limited, a wrong secret authentication', async () => {
    const seen: ChatCompletionChunk[] = [];
    const throttled = await providerError(drain(adapter.stream(chat('#mock{"status": 429}'), ctx('job-stream-429')), seen));
    assert.deepEqual(seen, []);
    assert.equal(throttled.kind, 'rate_limited');
    assert.match(throttled.message, /ThrottlingException/);
    const wrong = new BedrockAdapter(streamConfig(baseUrl, { options: { region: 'us-east-1', access_key_id: ACCESS_KEY_ID, secret_access_key: 'not-the-secret-0123456789' } }));
    try {
      const refused = await providerError(drain(wrong.stream(chat('hi'), ctx('job-stream-secret'))));
      assert.equal(refused.kind, 'authentication');
      assert.ok(![refused.message, refused.body ?? ''].join('\n').includes('not-the-secret-0123456789'));
    } finally {
      await wrong.close();
    }
  });

  it('reads an exception event mid-stream like the same exception as an HTTP error: modelStreamErrorException is server_error', async () => {
    const seen: ChatCompletionChunk[] = [];
    const error = await providerError(drain(adapter.stream(chat('one two three four #mock{"stream_fail_after": 2}'), ctx('job-stream-fail')), seen));
    assert.equal(error.kind, 'server_error');
    assert.match(error.message, /^bedrock-primary failed mid-stream: ModelStreamErrorException: The model failed/);
    assert.equal(collectStream(seen).choices[0].message.content, 'one two');
  });

  it('reads a stream that ends before messageStop and metadata as bad_response', async () => {
    const error = await providerError(drain(adapter.stream(chat('one two #mock{"stream_truncate_after": 5}'), ctx('job-stream-cut'))));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.message, 'bedrock-primary ended the stream before its final event');
  });

  it('streams filtered output (a 200 with stopReason content_filtered) as finish_reason content_filter', async () => {
    const chunks = await drain(adapter.stream(chat('#mock{"status": 400, "error_code": "content_filter"}'), ctx('job-stream-filter')));
    const collected = collectStream(chunks);
    assert.equal(collected.choices[0].finish_reason, 'content_filter');
    assert.equal(collected.choices[0].message.content, null);
  });

  it('stops reading on abort and closes the connection, which the upstream sees', async () => {
    const controller = new AbortController();
    const iterator = adapter.stream(chat('one two three #mock{"stream_stall_after": 1}'), ctx('job-stream-abort', MODEL, controller.signal))[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value?.choices[0].delta.content, 'one');
    const next = iterator.next();
    controller.abort();
    assert.equal((await providerError(next)).kind, 'canceled');
    const records = async (): Promise<RequestRecord[]> => (await control<{ data: RequestRecord[] }>('/_control/requests?request_id=job-stream-abort')).data;
    await waitFor(async () => (await records())[0]?.aborted === true, { message: 'the mock to see the connection close' });
  });
});

describe('ConverseStream frames the mock does not produce', () => {
  let upstream: Server;
  let adapter: BedrockAdapter;
  let nextBytes: Buffer = Buffer.alloc(0);
  const codec = new EventStreamCodec(
    (bytes) => Buffer.from(bytes).toString('utf8'),
    (text) => Buffer.from(text, 'utf8'),
  );
  const frame = (kind: 'event' | 'exception', type: string, body: object): Uint8Array =>
    codec.encode({
      headers: {
        [kind === 'event' ? ':event-type' : ':exception-type']: { type: 'string', value: type },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: kind },
      },
      body: Buffer.from(JSON.stringify(body)),
    });

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' }).end(nextBytes);
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new BedrockAdapter(streamConfig(`http://127.0.0.1:${port}`));
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('reads a throttlingException event as rate_limited', async () => {
    nextBytes = Buffer.concat([frame('event', 'messageStart', { role: 'assistant' }), frame('exception', 'throttlingException', { message: 'Too many tokens, please wait.' })]);
    const error = await providerError(drain(adapter.stream(chat('hi'), ctx('job-frames-throttle'))));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.message, 'bedrock-primary failed mid-stream: ThrottlingException: Too many tokens, please wait.');
  });

  it('refuses a frame whose checksum does not match as bad_response', async () => {
    const good = frame('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'Hi' } });
    const corrupted = Buffer.from(good);
    corrupted[corrupted.length - 6] ^= 0xff;
    nextBytes = Buffer.concat([frame('event', 'messageStart', { role: 'assistant' }), corrupted]);
    const error = await providerError(drain(adapter.stream(chat('hi'), ctx('job-frames-crc'))));
    assert.equal(error.kind, 'bad_response');
    assert.match(error.message, /event-stream frame it cannot decode/);
  });
});
