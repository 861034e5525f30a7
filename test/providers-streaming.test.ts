import { PROVIDER_DEFAULTS } from './support';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChatCompletionChunk, ChatRequest } from '@switchyard/contracts';
import { OpenAIAdapter, ProviderError, collectStream } from '@switchyard/providers';

const KEY = 'sk-stream-test-0123456789abcdef';

const base = { id: 'chatcmpl-1', object: 'chat.completion.chunk' as const, created: 1_700_000_000, model: 'm' };

function chunk(choices: ChatCompletionChunk['choices'], extra: Partial<ChatCompletionChunk> = {}): ChatCompletionChunk {
  return { ...base, choices, ...extra };
}

describe('collectStream', () => {
  it('adds up content per choice, tool call fragments per index, the last finish reason and the usage', () => {
    const chunks: ChatCompletionChunk[] = [
      chunk([{ index: 0, delta: { role: 'assistant', content: 'Hel' }, finish_reason: null, logprobs: null }], { system_fingerprint: 'fp_1' }),
      chunk([{ index: 1, delta: { role: 'assistant', content: 'Bon' }, finish_reason: null, logprobs: null }]),
      chunk([{ index: 0, delta: { content: 'lo' }, finish_reason: null, logprobs: null }, { index: 1, delta: { content: 'jour' }, finish_reason: null, logprobs: null }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }, { index: 1, delta: {}, finish_reason: 'length', logprobs: null }]),
      chunk([], { usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 } }),
    ];
    assert.deepEqual(collectStream(chunks), {
      id: 'chatcmpl-1',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: 'm',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Hello', refusal: null }, finish_reason: 'stop', logprobs: null },
        { index: 1, message: { role: 'assistant', content: 'Bonjour', refusal: null }, finish_reason: 'length', logprobs: null },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      system_fingerprint: 'fp_1',
    });
  });

  it('joins interleaved tool call fragments by their index, id and name from the pieces that carry them', () => {
    const piece = (toolCalls: NonNullable<ChatCompletionChunk['choices'][number]['delta']['tool_calls']>) =>
      chunk([{ index: 0, delta: { tool_calls: toolCalls }, finish_reason: null, logprobs: null }]);
    const completion = collectStream([
      piece([{ index: 1, id: 'call_b', type: 'function', function: { name: 'second', arguments: '' } }]),
      piece([{ index: 0, id: 'call_a', type: 'function', function: { name: 'first', arguments: '{"a"' } }]),
      piece([{ index: 1, function: { arguments: '{"b":2}' } }]),
      piece([{ index: 0, function: { arguments: ':1}' } }]),
      chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls', logprobs: null }]),
    ]);
    assert.deepEqual(completion.choices[0].message, {
      role: 'assistant',
      content: null,
      refusal: null,
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'first', arguments: '{"a":1}' } },
        { id: 'call_b', type: 'function', function: { name: 'second', arguments: '{"b":2}' } },
      ],
    });
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(completion.usage, { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
  });

  it('keeps a refusal apart from the content', () => {
    const completion = collectStream([
      chunk([{ index: 0, delta: { role: 'assistant', refusal: "I'm sorry, " }, finish_reason: null, logprobs: null }]),
      chunk([{ index: 0, delta: { refusal: 'I cannot help with that.' }, finish_reason: 'stop', logprobs: null }]),
    ]);
    assert.deepEqual(completion.choices[0].message, { role: 'assistant', content: null, refusal: "I'm sorry, I cannot help with that." });
  });

  it('refuses an empty stream as bad_response', () => {
    assert.throws(() => collectStream([]), (error: unknown) => error instanceof ProviderError && error.kind === 'bad_response');
  });
});

/** Writes one raw answer per request, as the test in hand scripts it. */
type Script = (res: ServerResponse) => unknown;

function sse(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

const wireChunk = (delta: object, finish: string | null = null, extra: object = {}) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });

describe('OpenAI-format streams from a scripted upstream', () => {
  let upstream: Server;
  let adapter: OpenAIAdapter;
  let script: Script = (res) => res.end();

  const request: ChatRequest = { model: 'public', messages: [{ role: 'user', content: 'hi' }] };
  const ctx = (jobId: string) => ({ model: 'm', signal: new AbortController().signal, jobId, warn: () => undefined });

  async function drain(jobId: string, seen: ChatCompletionChunk[] = []): Promise<ChatCompletionChunk[]> {
    for await (const piece of adapter.stream(request, ctx(jobId))) seen.push(piece);
    return seen;
  }

  async function failure(jobId: string, seen: ChatCompletionChunk[] = []): Promise<ProviderError> {
    try {
      await drain(jobId, seen);
    } catch (error) {
      assert.ok(error instanceof ProviderError, `expected a ProviderError, got ${String(error)}`);
      return error;
    }
    assert.fail('expected the stream to fail');
  }

  before(async () => {
    upstream = createServer((req, res) => {
      req.resume();
      req.on('end', () => void script(res));
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const { port } = upstream.address() as AddressInfo;
    adapter = new OpenAIAdapter({ ...PROVIDER_DEFAULTS, name: 'scripted', type: 'openai', baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: KEY, timeoutMs: 5000, concurrency: 2, options: {} });
  });

  after(async () => {
    await adapter.close();
    upstream.closeAllConnections();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('reads events split anywhere across reads, CRLF line ends and comment lines', async () => {
    script = async (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const text = [': keep-alive', '', `data: ${JSON.stringify(wireChunk({ role: 'assistant', content: 'héllo' }))}`, '', `data: ${JSON.stringify(wireChunk({ content: ' wörld' }, 'stop'))}`, '', 'data: [DONE]', '', ''].join('\r\n');
      const bytes = Buffer.from(text, 'utf8');
      // Seven-byte writes split lines, CRLF pairs and the two-byte characters.
      for (let at = 0; at < bytes.length; at += 7) {
        res.write(bytes.subarray(at, at + 7));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    };
    const completion = collectStream(await drain('job-split'));
    assert.equal(completion.choices[0].message.content, 'héllo wörld');
    assert.equal(completion.choices[0].finish_reason, 'stop');
  });

  it('moves usage a server puts on a content chunk to one usage chunk at the end', async () => {
    const usage = { prompt_tokens: 2, completion_tokens: 1, total_tokens: 3 };
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(wireChunk({ role: 'assistant', content: 'ok' }, 'stop', { usage })) + sse('[DONE]'));
    };
    const chunks = await drain('job-usage-inline');
    assert.ok(chunks.slice(0, -1).every((piece) => piece.usage === undefined));
    assert.deepEqual(chunks.at(-1), { ...chunks[0], choices: [], usage });
  });

  it('accepts a stream without [DONE] once every choice has finished, and gives a finish reason to one left without', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(wireChunk({ role: 'assistant', content: 'no done marker' }, 'stop')));
    };
    assert.equal(collectStream(await drain('job-no-done')).choices[0].message.content, 'no done marker');
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`data: ${JSON.stringify(wireChunk({ content: 'one newline at the end' }, 'stop'))}\n`);
    };
    assert.equal(collectStream(await drain('job-one-newline')).choices[0].message.content, 'one newline at the end');
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse(wireChunk({ content: 'no finish' })) + sse('[DONE]'));
    };
    const chunks = await drain('job-no-finish');
    assert.deepEqual(chunks.at(-1)?.choices, [{ index: 0, delta: {}, finish_reason: 'stop', logprobs: null }]);
  });

  it('reads a connection cut mid-stream as bad_response, after the chunks that arrived', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(wireChunk({ role: 'assistant', content: 'half' })), () => res.destroy());
    };
    const seen: ChatCompletionChunk[] = [];
    const error = await failure('job-cut', seen);
    assert.equal(error.kind, 'bad_response');
    assert.match(error.message, /^scripted broke off the stream/);
    assert.equal(seen.length, 1);
  });

  it('reads a 2xx that is not an event stream as a stream that never finished', async () => {
    script = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ choices: [] }));
    const error = await failure('job-json');
    assert.equal(error.kind, 'bad_response');
    assert.match(error.message, /ended the stream before its final event/);
  });

  it('reads an event that is not JSON as bad_response, keeping the event as the body', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(sse('<html>proxy error</html>'));
    };
    const error = await failure('job-garbage');
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.body, '<html>proxy error</html>');
  });

  it('never lets a key an error event echoes into the error', async () => {
    script = (res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse(wireChunk({ role: 'assistant', content: 'a' })));
      res.end(sse({ error: { message: `Incorrect API key provided: ${KEY}`, type: 'invalid_request_error', code: 'invalid_api_key' } }));
    };
    const error = await failure('job-echo');
    const seen = [error.message, error.body ?? '', JSON.stringify(error)].join('\n');
    assert.ok(!seen.includes(KEY), `the key leaked: ${seen}`);
    assert.ok(error.body?.includes('Incorrect API key provided'));
  });
});
