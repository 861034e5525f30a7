import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { api, PrivateRedis, startGateway, startMockProvider, stopAll, type Gateway } from '../support';
import { assertErrorShape, chat, GATEWAY_ENV, gatewayConfig, TEAM_A_KEY } from './fixtures';

interface BadInput {
  name: string;
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path?: string;
  /** An object is sent as JSON; a string is sent as is. */
  body?: unknown;
  contentType?: string;
  status: number;
  param?: string;
}

const BODY_LIMIT = 65536;
const ok = chat('mock-echo', 'hi');
const message = (extra: Record<string, unknown>) => ({ ...ok, messages: [{ role: 'user', content: 'hi', ...extra }] });

const CASES: BadInput[] = [
  { name: 'malformed JSON', body: '{"model": "mock-echo", "messages": [', status: 400 },
  { name: 'empty body with a JSON content type', body: '', status: 400 },
  { name: 'a JSON array instead of an object', body: [], status: 400 },
  { name: 'a JSON string instead of an object', body: '"hello"', status: 400 },
  { name: 'a JSON null body', body: 'null', status: 400 },
  { name: 'missing model', body: { messages: ok.messages }, status: 400, param: 'model' },
  { name: 'model of the wrong type', body: { ...ok, model: 42 }, status: 400, param: 'model' },
  { name: 'unknown model', body: { ...ok, model: 'no-such-model' }, status: 404, param: 'model' },
  { name: 'missing messages', body: { model: 'mock-echo' }, status: 400, param: 'messages' },
  { name: 'empty messages', body: { ...ok, messages: [] }, status: 400, param: 'messages' },
  { name: 'messages not an array', body: { ...ok, messages: 'hi' }, status: 400, param: 'messages' },
  { name: 'a message that is not an object', body: { ...ok, messages: ['hi'] }, status: 400 },
  { name: 'a null message', body: { ...ok, messages: [null] }, status: 400 },
  { name: 'unknown role', body: message({ role: 'wizard' }), status: 400, param: 'messages[0].role' },
  { name: 'user message without content', body: { ...ok, messages: [{ role: 'user' }] }, status: 400, param: 'messages[0].content' },
  { name: 'content of the wrong type', body: message({ content: 12 }), status: 400, param: 'messages[0].content' },
  { name: 'content part of an unknown type', body: message({ content: [{ type: 'audio', audio: 'x' }] }), status: 400 },
  { name: 'image part with a non-URL', body: message({ content: [{ type: 'image_url', image_url: { url: 'file:///etc/passwd' } }] }), status: 400 },
  { name: 'tool message without tool_call_id', body: { ...ok, messages: [{ role: 'tool', content: 'x' }] }, status: 400 },
  { name: 'unknown top-level field', body: { ...ok, foo: 1 }, status: 400, param: 'foo' },
  { name: 'unknown field inside a message', body: message({ secret: 'x' }), status: 400 },
  { name: 'api_base smuggled in the body', body: { ...ok, api_base: 'http://evil.example' }, status: 400, param: 'api_base' },
  { name: 'api_key smuggled in the body', body: { ...ok, api_key: 'sk-mine' }, status: 400, param: 'api_key' },
  { name: 'base_url smuggled in the body', body: { ...ok, base_url: 'http://evil.example' }, status: 400, param: 'base_url' },
  { name: 'temperature as a string', body: { ...ok, temperature: 'hot' }, status: 400, param: 'temperature' },
  { name: 'temperature out of range', body: { ...ok, temperature: 3 }, status: 400, param: 'temperature' },
  { name: 'negative max_tokens', body: { ...ok, max_tokens: -1 }, status: 400, param: 'max_tokens' },
  { name: 'fractional max_tokens', body: { ...ok, max_tokens: 1.5 }, status: 400, param: 'max_tokens' },
  { name: 'n of zero', body: { ...ok, n: 0 }, status: 400, param: 'n' },
  { name: 'too many stop sequences', body: { ...ok, stop: ['a', 'b', 'c', 'd', 'e'] }, status: 400, param: 'stop' },
  { name: 'seed beyond a safe integer', body: { ...ok, seed: 1e30 }, status: 400, param: 'seed' },
  { name: 'metadata with a number value', body: { ...ok, metadata: { a: 1 } }, status: 400, param: 'metadata' },
  { name: 'metadata with too many keys', body: { ...ok, metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) }, status: 400, param: 'metadata' },
  { name: 'priority below 1', body: { ...ok, priority: 0 }, status: 400, param: 'priority' },
  { name: 'priority above 10', body: { ...ok, priority: 11 }, status: 400, param: 'priority' },
  { name: 'priority as a string', body: { ...ok, priority: 'high' }, status: 400, param: 'priority' },
  { name: 'tools of the wrong shape', body: { ...ok, tools: [{ type: 'function', function: { name: 'bad name!' } }] }, status: 400 },
  { name: 'invalid tool_choice', body: { ...ok, tool_choice: 'sometimes' }, status: 400, param: 'tool_choice' },
  { name: 'invalid response_format', body: { ...ok, response_format: { type: 'yaml' } }, status: 400, param: 'response_format' },
  { name: 'stream requested on a job', body: { ...ok, stream: true }, status: 400, param: 'stream' },
  { name: 'prototype pollution attempt', body: '{"model":"mock-echo","messages":[{"role":"user","content":"hi"}],"__proto__":{"admin":true}}', status: 400 },
  { name: 'a body over the size limit', body: chat('mock-echo', 'x'.repeat(BODY_LIMIT * 2)), status: 413 },
  { name: 'a text/plain body', body: 'hello', contentType: 'text/plain', status: 415 },
  { name: 'a malformed job id', method: 'GET', path: '/v1/jobs/not-a-job', status: 404 },
  { name: 'a well-formed but unknown job id', method: 'GET', path: '/v1/jobs/job_01J0000000000000000000000Z', status: 404 },
  { name: 'a job id with path tricks', method: 'GET', path: '/v1/jobs/..%2F..%2Fetc', status: 404 },
  { name: 'wait that is not a number', method: 'GET', path: '/v1/jobs/job_01J0000000000000000000000Z?wait=soon', status: 400, param: 'wait' },
  { name: 'wait above the maximum', method: 'GET', path: '/v1/jobs/job_01J0000000000000000000000Z?wait=61', status: 400, param: 'wait' },
  { name: 'negative wait', method: 'GET', path: '/v1/jobs/job_01J0000000000000000000000Z?wait=-1', status: 400, param: 'wait' },
  { name: 'cancel of a malformed id', method: 'POST', path: '/v1/jobs/nope/cancel', status: 404 },
  { name: 'an unknown route', method: 'GET', path: '/v1/nothing-here', status: 404 },
  { name: 'a wrong method on a known route', method: 'DELETE', path: '/v1/jobs', status: 404 },
];

interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * One HTTP/1.1 keep-alive connection driven by hand: a client library may open a new connection
 * or give up on an old one by itself, which would hide a connection the server stopped reading.
 */
class KeepAliveConnection {
  private received = Buffer.alloc(0);
  private closed = false;
  private notify?: () => void;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.received = Buffer.concat([this.received, chunk]);
      this.notify?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.notify?.();
    });
    // A refused upload may be answered before all of it is written; the answer is what counts.
    socket.on('error', () => undefined);
  }

  static async open(baseUrl: string): Promise<KeepAliveConnection> {
    const { hostname, port } = new URL(baseUrl);
    const socket = connect(Number(port), hostname);
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new KeepAliveConnection(socket);
  }

  /** Sends one request and reads its answer, or fails after `timeoutMs` with none. */
  async send(method: string, path: string, headers: Record<string, string>, body: Buffer | string, timeoutMs = 15_000): Promise<RawAnswer> {
    const payload = Buffer.from(body);
    const head = Object.entries({ host: 'gateway', authorization: `Bearer ${TEAM_A_KEY}`, ...headers, 'content-length': String(payload.length) })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('');
    this.socket.write(`${method} ${path} HTTP/1.1\r\n${head}\r\n`);
    this.socket.write(payload);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const answer = this.takeAnswer();
      if (answer) return answer;
      assert.ok(!this.closed, `the server closed the connection without answering ${method} ${path}`);
      const left = deadline - Date.now();
      assert.ok(left > 0, `no answer to ${method} ${path} within ${timeoutMs} ms on the kept-alive connection`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.notify = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  /** The first complete answer received (content-length framed, as the gateway's JSON answers are), removed from the buffer. */
  private takeAnswer(): RawAnswer | undefined {
    const end = this.received.indexOf('\r\n\r\n');
    if (end === -1) return undefined;
    const [statusLine, ...lines] = this.received.subarray(0, end).toString('latin1').split('\r\n');
    const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
    const length = Number(headers['content-length'] ?? 0);
    if (this.received.length < end + 4 + length) return undefined;
    const text = this.received.subarray(end + 4, end + 4 + length).toString('utf8');
    this.received = this.received.subarray(end + 4 + length);
    return { status: Number(statusLine.split(' ')[1]), headers, body: JSON.parse(text) as unknown };
  }
}

/** A 256 KiB multipart body: far more than the socket and the parser buffer, so most of it is still unread when the answer goes out. */
function largeUpload(boundary: string): Buffer {
  const line = JSON.stringify({ custom_id: 'huge', body: { model: 'mock-echo', messages: [{ role: 'user', content: 'y'.repeat(256 * 1024) }] } });
  return Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="purpose"\r\n\r\nbatch\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="input.jsonl"\r\nContent-Type: application/jsonl\r\n\r\n${line}\r\n--${boundary}--\r\n`,
  );
}

describe('bad input gets a 4xx in the OpenAI error shape', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    const mock = await startMockProvider();
    gateway = await startGateway({
      redis,
      config: gatewayConfig({ mockProviderUrl: mock.baseUrl, bodyLimitBytes: BODY_LIMIT }),
      env: GATEWAY_ENV,
    });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it(`has at least 30 cases (${CASES.length})`, () => assert.ok(CASES.length >= 30));

  for (const bad of CASES) {
    it(`rejects ${bad.name} with ${bad.status}`, async () => {
      const body = bad.body === undefined ? undefined : typeof bad.body === 'string' ? bad.body : JSON.stringify(bad.body);
      const response = await api(gateway.baseUrl, TEAM_A_KEY).raw(bad.method ?? 'POST', bad.path ?? '/v1/jobs', {
        body,
        headers: body === undefined ? {} : { 'content-type': bad.contentType ?? 'application/json' },
      });
      assert.equal(response.status, bad.status, `${bad.name}: ${response.text}`);
      assertErrorShape(response.body, bad.name);
      if (bad.param) assert.equal(response.body.error.param, bad.param, `${bad.name}: ${response.text}`);
    });
  }

  // Found by the input fuzzer (seed 2049947076): the upload's parser stopped reading, so the rest
  // of its body stayed in the socket and the next request on the connection was never answered.
  const refusedUploads = [
    { name: 'a multipart upload without a boundary', contentType: 'multipart/form-data' },
    { name: 'an upload refused mid-body for a line over the limit', contentType: 'multipart/form-data; boundary=sy-regression' },
  ];
  for (const upload of refusedUploads) {
    it(`answers the next request on a keep-alive connection after ${upload.name}`, async () => {
      const connection = await KeepAliveConnection.open(gateway.baseUrl);
      try {
        const refused = await connection.send('POST', '/v1/files', { 'content-type': upload.contentType }, largeUpload('sy-regression'));
        assert.equal(refused.status, 400, JSON.stringify(refused.body));
        assertErrorShape(refused.body, upload.name);
        assert.equal(refused.body.error.param, 'file');
        assert.notEqual(refused.headers.connection, 'close', 'the connection is kept alive');
        // The request the fuzzer saw go unanswered: an invalid streaming /v1/messages body.
        const next = await connection.send('POST', '/v1/messages', { 'content-type': 'application/json' }, JSON.stringify({ model: 5, max_tokens: 8, messages: [{ role: 'user', content: 'hi' }], stream: true }));
        assert.equal(next.status, 400, JSON.stringify(next.body));
        assert.deepEqual(next.body, { type: 'error', error: { type: 'invalid_request_error', message: 'model: must be a string' } });
        const health = await connection.send('GET', '/healthz', {}, '');
        assert.equal(health.status, 200);
      } finally {
        connection.close();
      }
    });
  }

  it('created no job for any rejected request and is still serving', async () => {
    const client = redis.client();
    assert.deepEqual(await client.keys('sy:job:*'), []);
    assert.equal((await api(gateway.baseUrl).get('/healthz')).status, 200);
    for (const process of gateway.processes) assert.ok(process.running, `${process.name} died`);
    const accepted = await api(gateway.baseUrl, TEAM_A_KEY).post('/v1/jobs', ok);
    assert.equal(accepted.status, 202);
  });
});
