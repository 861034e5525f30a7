import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { toFile } from 'openai';
import type { Batch } from 'openai/resources/batches';
import { api, assertMatchesOpenAISchema, PrivateRedis, startGateway, startMockProvider, stopAll, waitFor, WEBHOOK_RECEIVER_HOST, WebhookReceiver, type ApiClient, type Gateway, type MockProvider } from '../support';
import { TEAM_A_KEY, TEAM_B_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const NARROW_KEY = 'sk-narrow-0123456789abcdef';
const SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** The in-process mock for most batches; for the big one a mock-provider failing half its calls, falling back to the in-process mock. */
function config(half: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY}, webhook: { secret: ${SECRET} } }
    - { name: team-b, key: "\${TEAM_B_KEY}" }
    - { name: narrow, key: ${NARROW_KEY}, limits: { max_waiting: 2 } }
providers:
  mock: { type: mock, concurrency: 100 }
  half:
    type: openai
    base_url: ${half.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 100
    retries: 0
    circuit_breaker: { failure_threshold: 1000000, min_requests: 1000000 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
  mock-embed:
    targets: [{ provider: mock, model: embed }]
  priced:
    targets: [{ provider: mock, model: echo }, { provider: mock, model: lorem }]
  split:
    targets: [{ provider: half, model: gpt-4o-mini }, { provider: mock, model: echo }]
model_registry:
  echo: { input_per_mtok: 1, output_per_mtok: 2 }
  lorem: { input_per_mtok: 10, output_per_mtok: 20 }
files: { max_bytes: 4194304 }
batches: { progress_interval_s: 1 }
webhooks:
  retry_schedule_s: [0, 0.3, 0.3]
  allow_private: [${WEBHOOK_RECEIVER_HOST}/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

interface OutputLine {
  id: string;
  custom_id: string;
  response: { status_code: number; request_id: string; body: { choices?: Array<{ message: { content: string } }>; error?: { code: string | null } } } | null;
  error: { code: string; message: string } | null;
}

function requestLine(customId: string, content: string, model = 'mock-echo'): Record<string, unknown> {
  return { custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content }] } };
}

function jsonl(lines: unknown[]): string {
  return `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`;
}

function parseJsonl(text: string): OutputLine[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as OutputLine);
}

describe('OpenAI Files and Batch API through the official SDK', () => {
  let redis: PrivateRedis;
  let half: MockProvider;
  let gateway: Gateway;
  let client: OpenAI;
  let other: OpenAI;
  let http: ApiClient;
  let receiver: WebhookReceiver;

  before(async () => {
    redis = await PrivateRedis.start();
    [half, receiver] = await Promise.all([startMockProvider({ MOCK_ERROR_RATE: '0.5', MOCK_ERROR_STATUS: '503', MOCK_LATENCY_MS: '0' }), WebhookReceiver.start()]);
    gateway = await startGateway({ redis, config: config(half), env: { UPSTREAM_KEY, TEAM_B_KEY } });
    client = new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    other = new OpenAI({ apiKey: TEAM_B_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    http = api(gateway.baseUrl, TEAM_A_KEY);
  });

  after(async () => {
    await stopAll();
    await receiver?.stop();
    await redis?.stop();
  });

  async function upload(lines: unknown[], name = 'input.jsonl'): Promise<OpenAI.FileObject> {
    return client.files.create({ purpose: 'batch', file: await toFile(Buffer.from(jsonl(lines)), name) });
  }

  async function settled(id: string, timeoutMs = 30_000): Promise<Batch> {
    return waitFor(
      async () => {
        const batch = await client.batches.retrieve(id);
        return ['completed', 'failed', 'expired', 'cancelled'].includes(batch.status) && batch;
      },
      { timeoutMs, intervalMs: 100, message: `batch ${id} to end` },
    );
  }

  async function content(fileId: string | null | undefined): Promise<OutputLine[]> {
    assert.ok(fileId, 'a file id');
    return parseJsonl(await (await client.files.content(fileId)).text());
  }

  it('runs a 1,000-line batch from files.create to the output file', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => requestLine(`req-${i}`, `line ${i}`));
    const file = await upload(lines, 'thousand.jsonl');
    assertMatchesOpenAISchema(file, 'OpenAIFile');
    assert.equal(file.purpose, 'batch');
    assert.equal(file.filename, 'thousand.jsonl');
    assert.equal(file.bytes, Buffer.byteLength(jsonl(lines)));

    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', metadata: { run: 'nightly' } });
    assertMatchesOpenAISchema(created, 'Batch');
    assert.equal(created.status, 'validating');
    assert.deepEqual(created.metadata, { run: 'nightly' });

    const done = await settled(created.id);
    assertMatchesOpenAISchema(done, 'Batch');
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 1000, completed: 1000, failed: 0 });
    assert.ok(done.in_progress_at && done.finalizing_at && done.completed_at, JSON.stringify(done));
    assert.equal(done.error_file_id, undefined);
    assert.ok((done.usage?.input_tokens ?? 0) > 0, 'usage summed over the lines');

    const output = await content(done.output_file_id);
    assert.equal(output.length, 1000);
    const byId = new Map(output.map((line) => [line.custom_id, line]));
    assert.equal(byId.size, 1000);
    for (let i = 0; i < 1000; i += 1) {
      const line = byId.get(`req-${i}`);
      assert.equal(line?.response?.status_code, 200);
      assert.equal(line?.response?.body.choices?.[0].message.content, `line ${i}`);
      assert.equal(line?.error, null);
      assert.match(line?.id ?? '', /^batch_req_/);
    }
    // Each line ran as its own job, which names its batch and custom_id.
    const job = (await http.get(`/v1/jobs/${byId.get('req-7')?.response?.request_id}`)).body as JobLike & { batch_id: string; custom_id: string; priority: number };
    assert.equal(job.batch_id, created.id);
    assert.equal(job.custom_id, 'req-7');
    assert.equal(job.priority, 8);

    const outputFile = await client.files.retrieve(done.output_file_id as string);
    assertMatchesOpenAISchema(outputFile, 'OpenAIFile');
    assert.equal(outputFile.purpose, 'batch_output');
  });

  it('lists files and batches newest first, in pages, and deletes files', async () => {
    const files = (await http.get('/v1/files?purpose=batch')).body as { data: OpenAI.FileObject[] };
    assertMatchesOpenAISchema(files, 'ListFilesResponse');
    assert.ok(files.data.length >= 1);
    assert.ok(files.data.every((file) => file.purpose === 'batch'));
    const listed: string[] = [];
    for await (const file of client.files.list({ limit: 1 })) listed.push(file.id);
    assert.ok(listed.length > files.data.length, 'the SDK pages through all purposes');

    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const file = await upload([requestLine('only', `list ${i}`)]);
      ids.push((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '1h' as '24h' })).id);
    }
    const page = (await http.get('/v1/batches?limit=2')).body as { data: Batch[]; has_more: boolean; first_id: string; last_id: string };
    assertMatchesOpenAISchema(page, 'ListBatchesResponse');
    assert.deepEqual(page.data.map((batch) => batch.id), [ids[2], ids[1]]);
    assert.equal(page.has_more, true);
    assert.equal(page.last_id, ids[1]);
    const next = (await http.get(`/v1/batches?limit=2&after=${page.last_id}`)).body as { data: Batch[] };
    assert.equal(next.data[0].id, ids[0]);
    // The SDK walks every page.
    const all: string[] = [];
    for await (const batch of client.batches.list({ limit: 2 })) all.push(batch.id);
    for (const id of ids) assert.ok(all.includes(id));

    const doomed = await upload([requestLine('x', 'delete me')]);
    const deleted = await client.files.delete(doomed.id);
    assertMatchesOpenAISchema(deleted, 'DeleteFileResponse');
    assert.deepEqual(deleted, { id: doomed.id, object: 'file', deleted: true });
    await assert.rejects(client.files.retrieve(doomed.id), (error) => error instanceof OpenAI.NotFoundError);
  });

  it('puts failed lines in the error file with their status and error', async () => {
    const file = await upload([requestLine('good', 'fine'), requestLine('bad', '#mock{"status": 400} refused'), requestLine('also-good', 'fine too')]);
    const done = await settled((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 3, completed: 2, failed: 1 });
    const output = await content(done.output_file_id);
    assert.deepEqual(output.map((line) => line.custom_id).sort(), ['also-good', 'good']);
    const [error] = await content(done.error_file_id);
    assert.equal(error.custom_id, 'bad');
    assert.equal(error.response?.status_code, 400);
    assert.equal(error.response?.body.error?.code, 'invalid_request');
    assert.equal(error.error?.code, 'invalid_request');
  });

  it('fails validation on a duplicated custom_id, naming its line', async () => {
    const file = await upload([requestLine('a', '1'), requestLine('b', '2'), requestLine('c', '3'), requestLine('b', '4')]);
    const done = await settled((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    assertMatchesOpenAISchema(done, 'Batch');
    assert.equal(done.status, 'failed');
    assert.ok(done.failed_at);
    const [error] = done.errors?.data ?? [];
    assert.equal(error.code, 'duplicate_custom_id');
    assert.equal(error.line, 4);
    assert.equal(error.param, 'custom_id');
    assert.match(error.message ?? '', /line 2/);
  });

  it('fails validation on a line whose body POST /v1/jobs would refuse, or whose url is not the endpoint', async () => {
    const file = await upload([
      requestLine('ok', 'fine'),
      { custom_id: 'no-messages', method: 'POST', url: '/v1/chat/completions', body: { model: 'mock-echo' } },
      { ...requestLine('wrong-url', 'x'), url: '/v1/embeddings' },
      requestLine('unknown-model', 'x', 'no-such-model'),
    ]);
    const done = await settled((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' })).id);
    assert.equal(done.status, 'failed');
    const errors = done.errors?.data ?? [];
    assert.deepEqual(errors.map((e) => [e.line, e.code]), [[2, 'invalid_request'], [3, 'invalid_url'], [4, 'model_not_found']]);
    assert.equal(errors[0].param, 'body.messages');
  });

  it('refuses an upload for a batch with a line that is not a JSON object, naming the line, whatever the field order', async () => {
    const text = `${JSON.stringify(requestLine('a', '1'))}\n{"custom_id": "b", oops\n`;
    for (const order of ['purpose first', 'file first']) {
      const file = await toFile(Buffer.from(text), 'bad.jsonl');
      const upload = order === 'purpose first' ? client.files.create({ purpose: 'batch', file }) : client.files.create({ file, purpose: 'batch' });
      await assert.rejects(upload, (error) => {
        assert.ok(error instanceof OpenAI.BadRequestError, `${order}: ${String(error)}`);
        assert.equal(error.status, 400);
        assert.match(error.message, /Line 2/);
        return true;
      });
    }
    // The same bytes are a fine user_data file.
    const kept = await client.files.create({ file: await toFile(Buffer.from(text), 'notes.txt'), purpose: 'user_data' });
    assert.equal(kept.purpose, 'user_data');
    assert.equal(await (await client.files.content(kept.id)).text(), text);
  });

  it('refuses an upload over files.max_bytes with 413', async () => {
    const big = Buffer.alloc(4194304 + 1024, 'a');
    const response = await fetch(`${gateway.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TEAM_A_KEY}` },
      body: (() => {
        const form = new FormData();
        form.append('purpose', 'user_data');
        form.append('file', new Blob([big]), 'big.bin');
        return form;
      })(),
    });
    assert.equal(response.status, 413);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'request_too_large');
  });

  it('takes inline requests, cancels one line, and streams partial results while the batch runs', async () => {
    const response = await http.post('/v1/batches', {
      endpoint: '/v1/chat/completions',
      completion_window: '10m',
      requests: [
        { custom_id: 'fast', body: { model: 'mock-echo', messages: [{ role: 'user', content: 'quick' }] } },
        { custom_id: 'slow/one', body: { model: 'mock-echo', messages: [{ role: 'user', content: '#mock{"latency_ms": 60000} slow' }] } },
      ],
    });
    assert.equal(response.status, 200, response.text);
    const batch = response.body as Batch;
    assertMatchesOpenAISchema(batch, 'Batch');
    const inputFile = await client.files.retrieve(batch.input_file_id);
    assert.equal(inputFile.purpose, 'batch');

    const partial = await waitFor(
      async () => {
        const results = await http.get(`/v1/batches/${batch.id}/results`);
        const lines = parseJsonl(results.text);
        return lines.length === 1 && lines;
      },
      { message: 'the fast line in the partial results' },
    );
    assert.equal(partial[0].custom_id, 'fast');
    assert.equal(partial[0].response?.body.choices?.[0].message.content, 'quick');

    const canceled = await http.post(`/v1/batches/${batch.id}/requests/${encodeURIComponent('slow/one')}/cancel`);
    assert.equal(canceled.status, 200, canceled.text);
    const done = await settled(batch.id);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 2, completed: 1, failed: 1 });
    const [error] = await content(done.error_file_id);
    assert.equal(error.custom_id, 'slow/one');
    assert.equal(error.error?.code, 'request_cancelled');
    assert.equal(error.response, null);
  });

  it('cancels a running batch: finished lines in the output, the rest in the error file', async () => {
    const lines = [requestLine('done-1', 'now'), ...Array.from({ length: 20 }, (_, i) => requestLine(`wait-${i}`, '#mock{"latency_ms": 60000} later'))];
    const file = await upload(lines);
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    await waitFor(async () => (await client.batches.retrieve(created.id)).request_counts?.completed === 1, { message: 'the quick line to finish' });
    const cancelling = await client.batches.cancel(created.id);
    assert.ok(['cancelling', 'cancelled'].includes(cancelling.status), cancelling.status);
    const done = await settled(created.id);
    assert.equal(done.status, 'cancelled');
    assert.ok(done.cancelling_at && done.cancelled_at);
    assert.deepEqual(done.request_counts, { total: 21, completed: 1, failed: 20 });
    assert.deepEqual((await content(done.output_file_id)).map((line) => line.custom_id), ['done-1']);
    const errors = await content(done.error_file_id);
    assert.equal(errors.length, 20);
    assert.ok(errors.every((line) => line.error?.code === 'batch_cancelled'));
    assert.equal((await client.batches.cancel(created.id)).status, 'cancelled', 'cancelling again changes nothing');
  });

  it('expires a batch at the end of its window: unfinished lines end batch_expired', async () => {
    const file = await upload([requestLine('quick', 'in time'), requestLine('late', '#mock{"latency_ms": 60000} too late')]);
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '3s' as '24h' });
    assert.equal(created.expires_at, created.created_at + 3);
    const done = await settled(created.id, 20_000);
    assert.equal(done.status, 'expired');
    assert.ok(done.expired_at);
    assert.deepEqual(done.request_counts, { total: 2, completed: 1, failed: 1 });
    const [late] = await content(done.error_file_id);
    assert.equal(late.custom_id, 'late');
    assert.equal(late.error?.code, 'batch_expired');
  });

  it('answers a dry run with lines, input tokens, a cost range and an ETA, creating nothing', async () => {
    const before = (await http.get('/v1/batches?limit=100')).body as { data: Batch[] };
    const response = await http.post('/v1/batches', {
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      dry_run: true,
      requests: Array.from({ length: 5 }, (_, i) => ({ custom_id: `d${i}`, body: { model: 'priced', messages: [{ role: 'user', content: 'how much would this cost?' }], max_tokens: 100 } })),
    });
    assert.equal(response.status, 200, response.text);
    const dry = response.body as { object: string; lines: number; input_tokens: number; cost_usd: { min: number; max: number }; eta_s: number; errors: unknown };
    assert.equal(dry.object, 'batch.dry_run');
    assert.equal(dry.lines, 5);
    assert.ok(dry.input_tokens >= 5 * 5, `input tokens ${dry.input_tokens}`);
    // Cheapest: echo at $1/Mtok input, no output. Dearest: lorem at $10/Mtok input and $20/Mtok for the 100 output tokens.
    assert.ok(Math.abs(dry.cost_usd.min - dry.input_tokens / 1e6) < 1e-6, JSON.stringify(dry));
    assert.ok(Math.abs(dry.cost_usd.max - (dry.input_tokens * 10 + 5 * 100 * 20) / 1e6) < 1e-6, JSON.stringify(dry));
    assert.equal(typeof dry.eta_s, 'number');
    assert.equal(dry.errors, null);
    const afterwards = (await http.get('/v1/batches?limit=100')).body as { data: Batch[] };
    assert.equal(afterwards.data.length, before.data.length, 'no batch created');
  });

  it('runs embeddings batches', async () => {
    const file = await upload([{ custom_id: 'e1', method: 'POST', url: '/v1/embeddings', body: { model: 'mock-embed', input: 'vector me' } }]);
    const done = await settled((await client.batches.create({ input_file_id: file.id, endpoint: '/v1/embeddings', completion_window: '24h' })).id);
    assert.equal(done.status, 'completed');
    const [line] = await content(done.output_file_id);
    assertMatchesOpenAISchema(line.response?.body, 'CreateEmbeddingResponse');
  });

  it('sends batch.progress and batch.completed to the batch webhook', async () => {
    const lines = Array.from({ length: 30 }, (_, i) => requestLine(`w${i}`, i < 29 ? `now ${i}` : '#mock{"latency_ms": 1500} last'));
    const file = await upload(lines);
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h', webhook: { url: receiver.url } } as OpenAI.BatchCreateParams);
    await settled(created.id);
    const events = await waitFor(() => {
      const mine = receiver.events<{ type: string; data: Batch }>().filter((event) => event.data.id === created.id);
      return mine.some((event) => event.type === 'batch.completed') && mine;
    });
    const progress = events.filter((event) => event.type === 'batch.progress');
    assert.ok(progress.length >= 1, 'at least one progress event');
    assert.ok(progress.length <= 3, `progress at most once a second (${progress.length})`);
    const completed = events.find((event) => event.type === 'batch.completed');
    assert.deepEqual(completed?.data.request_counts, { total: 30, completed: 30, failed: 0 });
  });

  it('waits for a key under its max_waiting instead of failing the lines past it', async () => {
    const narrow = api(gateway.baseUrl, NARROW_KEY);
    const requests = Array.from({ length: 6 }, (_, i) => ({ custom_id: `q${i}`, body: { model: 'mock-echo', messages: [{ role: 'user', content: `#mock{"latency_ms": 300} ${i}` }] } }));
    const created = await narrow.post('/v1/batches', { endpoint: '/v1/chat/completions', completion_window: '1h', requests });
    assert.equal(created.status, 200, created.text);
    const done = await waitFor(
      async () => {
        const batch = (await narrow.get(`/v1/batches/${(created.body as Batch).id}`)).body as Batch;
        return batch.status === 'completed' && batch;
      },
      { timeoutMs: 20_000, message: 'the narrow batch to complete' },
    );
    assert.deepEqual(done.request_counts, { total: 6, completed: 6, failed: 0 });
  });

  it("gives another key 404 for a batch or file it does not own", async () => {
    const file = await upload([requestLine('mine', 'private')]);
    const batch = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const notFound = (error: unknown) => error instanceof OpenAI.NotFoundError;
    await assert.rejects(other.batches.retrieve(batch.id), notFound);
    await assert.rejects(other.batches.cancel(batch.id), notFound);
    await assert.rejects(other.files.retrieve(file.id), notFound);
    await assert.rejects(other.files.content(file.id), notFound);
    await assert.rejects(other.files.delete(file.id), notFound);
    await assert.rejects(other.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' }), notFound);
    assert.equal((await other.files.list()).data.length, 0);
    assert.equal((await other.batches.list()).data.length, 0);
  });

  it('runs 10,000 lines across two providers, one failing half its calls: every custom_id once in output or error file', async () => {
    const lines = Array.from({ length: 10_000 }, (_, i) => requestLine(`n-${i}`, i % 10 === 0 ? `#mock{"status": 400} refused ${i}` : `line ${i}`, 'split'));
    const file = await upload(lines, 'ten-thousand.jsonl');
    const created = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await settled(created.id, 240_000);
    assert.equal(done.status, 'completed');
    assert.deepEqual(done.request_counts, { total: 10_000, completed: 9000, failed: 1000 });
    const output = await content(done.output_file_id);
    const errors = await content(done.error_file_id);
    const seen = new Map<string, number>();
    for (const line of [...output, ...errors]) seen.set(line.custom_id, (seen.get(line.custom_id) ?? 0) + 1);
    assert.equal(seen.size, 10_000);
    assert.ok([...seen.values()].every((count) => count === 1), 'no custom_id twice');
    assert.ok(errors.every((line) => Number(line.custom_id.slice(2)) % 10 === 0 && line.response?.status_code === 400));
    // The lines ran on both targets: the half-failing one and, after its 503s, the fallback.
    // Spread over the whole file: lines that needed a fallback finish later than the rest.
    const spread = output.filter((_, i) => i % Math.ceil(output.length / 60) === 0);
    const sample = await Promise.all(spread.map(async (line) => ((await http.get(`/v1/jobs/${line.response?.request_id}`)).body as JobLike).provider));
    assert.ok(sample.includes('half') && sample.includes('mock'), `providers: ${sample.join(',')}`);
    assert.ok(!JSON.stringify(errors).includes(UPSTREAM_KEY), 'no provider credential in the error file');
  });
});

describe('batches split between an api process and a worker process', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;

  before(async () => {
    redis = await PrivateRedis.start();
    const yaml = `
server: { host: 127.0.0.1 }
auth: { keys: [{ name: team-a, key: ${TEAM_A_KEY} }] }
providers: { mock: { type: mock } }
models: { mock-echo: { targets: [{ provider: mock, model: echo }] } }
`;
    gateway = await startGateway({ redis, config: yaml, apps: ['api', 'worker'] });
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
  });

  it('uploads through the api, processes and finalizes in the worker, and serves the output from the api', async () => {
    const client = new OpenAI({ apiKey: TEAM_A_KEY, baseURL: `${gateway.baseUrl}/v1`, maxRetries: 0 });
    const file = await client.files.create({ purpose: 'batch', file: await toFile(Buffer.from(jsonl([requestLine('a', 'one'), requestLine('b', 'two')])), 'two.jsonl') });
    const { id } = await client.batches.create({ input_file_id: file.id, endpoint: '/v1/chat/completions', completion_window: '24h' });
    const done = await waitFor(async () => {
      const batch = await client.batches.retrieve(id);
      return batch.status === 'completed' && batch;
    });
    const lines = parseJsonl(await (await client.files.content(done.output_file_id as string)).text());
    assert.deepEqual(lines.map((line) => line.response?.body.choices?.[0].message.content).sort(), ['one', 'two']);
  });
});
