import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn as spawnPty } from '@lydell/node-pty';
import { parse } from 'csv-parse/sync';
import { countTokens, decode, encode } from 'gpt-tokenizer/cjs/encoding/o200k_base';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import {
  api,
  PrivateRedis,
  repoRoot,
  spawnProcess,
  startGateway,
  startMockProvider,
  stopAll,
  waitFor,
  type AppProcess,
  type Gateway,
  type MockProvider,
} from '../support';
import { TEAM_A_KEY, UPSTREAM_KEY } from './fixtures';

const CLI = join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js');
const CHUNK_TOKENS = 60;
const OVERLAP = 10;
/** The prompt puts `<file>#<index>` first, so each answer (the mock echoes) and each provider request names its chunk. */
const PROMPT = '{{filename}}#{{chunk_index}} summarize: {{chunk}}';
const REDUCE = 'combine for {{filename}}:\n{{results}}';
/** Registry price of the counted model, per million input tokens. */
const INPUT_PER_MTOK = 2;
const OUTPUT_PER_MTOK = 8;

function config(counted: MockProvider, half: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 64, options: { delay_ms: 5 } }
  counted:
    type: openai
    base_url: ${counted.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 4
    retries: 0
  half:
    type: openai
    base_url: ${half.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
    concurrency: 32
    retries: 0
    circuit_breaker: { failure_threshold: 1000000, min_requests: 1000000 }
models:
  docs-echo:
    targets: [{ provider: mock, model: echo }]
  docs-counted:
    targets: [{ provider: counted, model: gpt-4o-mini }]
  docs-split:
    targets: [{ provider: half, model: gpt-4o-mini }, { provider: mock, model: echo }]
model_registry:
  gpt-4o-mini: { input_per_mtok: ${INPUT_PER_MTOK}, output_per_mtok: ${OUTPUT_PER_MTOK} }
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

interface Row {
  kind: 'chunk' | 'reduce';
  source: string;
  chunk_index: number | null;
  chunk_id: string;
  status: string;
  result: string | null;
  provider: string | null;
  usage: { total_tokens: number } | null;
  cost_usd: number | null;
  error: string | null;
}

const words = (n: number, seed: number): string => Array.from({ length: n }, (_, i) => `w${(seed * 31 + i) % 997}`).join(' ');

async function pdfBytes(text: string): Promise<Uint8Array> {
  const document = await PDFDocument.create();
  const font = await document.embedFont(StandardFonts.Helvetica);
  document.addPage().drawText(text, { x: 40, y: 760, size: 9, font, maxWidth: 520, lineHeight: 11 });
  return document.save();
}

/**
 * `count` documents of every supported kind but docx, named doc-<n>.<ext>: every tenth is long
 * enough for several chunks. Returns the folder.
 */
async function makeCorpus(count: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-docs-'));
  await mkdir(join(dir, 'nested'));
  const kinds = ['txt', 'md', 'html', 'pdf'] as const;
  for (let n = 0; n < count; n++) {
    const kind = kinds[n % kinds.length];
    const name = `doc-${String(n).padStart(4, '0')}`;
    const body = `${name} ${words(n % 10 === 0 ? 150 : 20, n)}`;
    const path = join(n % 7 === 0 ? join(dir, 'nested') : dir, `${name}.${kind}`);
    if (kind === 'pdf') await writeFile(path, await pdfBytes(body));
    else if (kind === 'html') await writeFile(path, `<html><body><h1>${name}</h1><p>${body.slice(name.length + 1)}</p><a href="https://x.test/">link</a></body></html>`);
    else if (kind === 'md') await writeFile(path, `# ${name}\n\n${body.slice(name.length + 1)}\n`);
    else await writeFile(path, body);
  }
  await writeFile(join(dir, 'ignored.json'), '{}');
  return dir;
}

/** The chunk count the CLI must reach for a plain-text document: windows of CHUNK_TOKENS advancing by CHUNK_TOKENS - OVERLAP. */
function expectedChunks(text: string): number {
  const tokens = encode(text.trim()).length;
  return tokens <= CHUNK_TOKENS ? 1 : Math.ceil((tokens - CHUNK_TOKENS) / (CHUNK_TOKENS - OVERLAP)) + 1;
}

function readRows(path: string): Row[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Row);
}

describe('switchyard docs run and estimate', () => {
  let redis: PrivateRedis;
  let counted: MockProvider;
  let half: MockProvider;
  let gateway: Gateway;
  let work: string;
  let prompt: string;
  let reduce: string;

  before(async () => {
    redis = await PrivateRedis.start();
    [counted, half] = await Promise.all([
      startMockProvider({ MOCK_LATENCY_MS: '60' }),
      startMockProvider({ MOCK_ERROR_RATE: '0.5', MOCK_ERROR_STATUS: '503', MOCK_LATENCY_MS: '0' }),
    ]);
    gateway = await startGateway({ redis, config: config(counted, half), env: { UPSTREAM_KEY } });
    work = await mkdtemp(join(tmpdir(), 'switchyard-docs-work-'));
    prompt = join(work, 'prompt.txt');
    reduce = join(work, 'reduce.txt');
    await writeFile(prompt, PROMPT);
    await writeFile(reduce, REDUCE);
  });

  after(async () => {
    await stopAll();
    await redis?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  function cli(args: string[], env: Record<string, string> = {}): Promise<AppProcess> {
    return spawnProcess(process.execPath, [CLI, ...args], {
      name: 'switchyard-cli',
      env: { SWITCHYARD_URL: gateway.baseUrl, SWITCHYARD_API_KEY: TEAM_A_KEY, ...env },
    });
  }

  async function cliExit(args: string[]): Promise<{ code: number | null; output: string; proc: AppProcess }> {
    const proc = await cli(args);
    const { code } = await proc.exited;
    return { code, output: proc.output(), proc };
  }

  it('gives one result per chunk and, with a reduce prompt, one per document, for 300 mixed files', async () => {
    const corpus = await makeCorpus(300);
    const out = join(work, 'all.jsonl');
    const { code, output } = await cliExit(['docs', 'run', corpus, '-m', 'docs-echo', '-p', prompt, '-r', reduce, '-o', out, '--chunk-tokens', String(CHUNK_TOKENS), '--overlap', String(OVERLAP), '--concurrency', '64']);
    assert.equal(code, 0, output);
    const rows = readRows(out);
    const chunks = rows.filter((row) => row.kind === 'chunk');
    const reduces = rows.filter((row) => row.kind === 'reduce');
    assert.equal(new Set(rows.map((row) => row.source)).size, 300, 'every document, no other file');
    assert.equal(reduces.length, 300, 'one reduce per document');
    assert.equal(new Set(chunks.map((row) => row.chunk_id)).size, chunks.length, 'chunk ids are unique');
    for (const row of rows) assert.equal(row.status, 'succeeded', JSON.stringify(row));
    const bySource = Map.groupBy(chunks, (row) => row.source);
    for (const [source, own] of bySource) {
      const filename = source.split('/').pop() as string;
      assert.deepEqual(own.map((row) => row.chunk_index), own.map((_, i) => i), `${source}: chunks in order`);
      for (const row of own) assert.ok(row.result?.startsWith(`${filename}#${row.chunk_index} summarize: `), `${source}: its own answer: ${row.result}`);
      const combined = reduces.find((row) => row.source === source)?.result ?? '';
      const positions = own.map((row) => combined.indexOf(`${filename}#${row.chunk_index} `));
      assert.ok(positions.every((at, i) => at >= 0 && (i === 0 || at > (positions[i - 1] as number))), `${source}: the reduce holds its chunk answers in order`);
      if (source.endsWith('.txt')) {
        assert.equal(own.length, expectedChunks(await readFile(join(corpus, source), 'utf8')), `${source}: chunk count by the tokenizer`);
      }
    }
    assert.ok(chunks.length > 300, 'the long documents were split');
    assert.ok(bySource.get('doc-0010.html') && (bySource.get('doc-0010.html')?.length ?? 0) > 1, 'a long HTML document has several chunks');
    assert.ok((bySource.get('nested/doc-0000.txt')?.length ?? 0) > 1, 'nested folders are read');
    const pdf = bySource.get('doc-0003.pdf')?.[0];
    assert.match(pdf?.result ?? '', /doc-0003 w\d+/, 'PDF text was extracted');
    const html = bySource.get('doc-0002.html')?.[0];
    assert.doesNotMatch(html?.result ?? '', /<p>|https:\/\/x\.test/, 'HTML is text, without tags or link targets');
    await rm(corpus, { recursive: true, force: true });
  });

  it('resumes after Ctrl-C and after SIGKILL without sending any chunk to the provider twice', async () => {
    const corpus = await makeCorpus(80);
    const out = join(work, 'resume.jsonl');
    await api(counted.baseUrl).delete('/_control/requests');
    const args = ['docs', 'run', corpus, '-m', 'docs-counted', '-p', prompt, '-o', out, '--chunk-tokens', String(CHUNK_TOKENS), '--overlap', String(OVERLAP), '--concurrency', '8'];
    const rowsInState = (): number => (existsSync(`${out}.state`) ? readFileSync(`${out}.state`, 'utf8').split('\n').filter((line) => line.startsWith('{"t":"row"')).length : 0);

    const first = await cli(args);
    await waitFor(() => rowsInState() >= 10, { timeoutMs: 20_000, message: 'a few chunks done' });
    assert.ok(first.running, 'interrupted halfway, not after the end');
    assert.equal(await first.kill('SIGINT'), 130, first.tail());
    assert.match(first.output(), /run the same command again to resume/);
    const afterInterrupt = readRows(out).length;
    assert.ok(afterInterrupt >= 10, 'the results so far are in the output');

    const second = await cli(args);
    await waitFor(() => rowsInState() >= afterInterrupt + 10, { timeoutMs: 20_000, message: 'more chunks done' });
    assert.ok(second.running, 'killed halfway, not after the end');
    await second.kill('SIGKILL');

    const third = await cliExit(args);
    assert.equal(third.code, 0, third.output);
    const rows = readRows(out);
    assert.ok(rows.every((row) => row.status === 'succeeded' && row.provider === 'counted'), 'every chunk answered');
    assert.equal(new Set(rows.map((row) => row.chunk_id)).size, rows.length, 'no chunk twice in the output');

    const stats = (await api(counted.baseUrl).get('/_control/stats')).body as { total: number };
    const requests = (await api(counted.baseUrl).get('/_control/requests')).body as { data: Array<{ user_text: string }> };
    const perChunk = Map.groupBy(requests.data, (request) => request.user_text.split(' ')[0]);
    assert.equal(stats.total, rows.length, 'one provider call per chunk over the three runs');
    assert.equal(perChunk.size, rows.length);
    assert.ok([...perChunk.values()].every((calls) => calls.length === 1));
    await rm(corpus, { recursive: true, force: true });
  });

  it('completes with every chunk present when the first provider fails half its calls and a fallback is configured', async () => {
    const corpus = await makeCorpus(40);
    const out = join(work, 'split.csv');
    const { code, output } = await cliExit(['docs', 'run', corpus, '-m', 'docs-split', '-p', prompt, '-o', out, '--format', 'csv', '--chunk-tokens', String(CHUNK_TOKENS), '--overlap', String(OVERLAP)]);
    assert.equal(code, 0, output);
    const text = readFileSync(out, 'utf8');
    assert.equal(text.split('\n')[0], 'kind,source,chunk_index,chunk_id,status,result,provider,model,prompt_tokens,completion_tokens,total_tokens,cost_usd,error,job_id');
    const records = parse(text, { columns: true }) as Array<Record<string, string>>;
    assert.equal(new Set(records.map((record) => record.source)).size, 40, 'every document has rows');
    assert.equal(new Set(records.map((record) => record.chunk_id)).size, records.length);
    assert.ok(records.every((record) => record.status === 'succeeded' && record.result?.startsWith(`${record.source?.split('/').pop()}#${record.chunk_index} `)), 'every chunk succeeded');
    const providers = new Set(records.map((record) => record.provider));
    assert.deepEqual([...providers].sort(), ['half', 'mock'], 'some chunks were answered by the fallback');
    await rm(corpus, { recursive: true, force: true });
  });

  it('estimates chunks and tokens with the same tokenizer and prices them from the registry through a dry run', async () => {
    const corpus = await mkdtemp(join(tmpdir(), 'switchyard-docs-estimate-'));
    const texts = [`alpha ${words(200, 1)}`, `beta ${words(30, 2)}`, `gamma ${words(75, 3)}`];
    for (const [i, text] of texts.entries()) await writeFile(join(corpus, `e${i}.txt`), text);
    const { code, output, proc } = await cliExit(['--json', 'docs', 'estimate', corpus, '-m', 'docs-counted', '-p', prompt, '--chunk-tokens', String(CHUNK_TOKENS), '--overlap', String(OVERLAP)]);
    assert.equal(code, 0, output);
    const estimate = JSON.parse(proc.lines.find((line) => line.startsWith('{')) ?? '') as {
      documents: number;
      chunks: number;
      chunk_tokens: number;
      input_tokens: number;
      cost_usd: { min: number; max: number };
      eta_s: number;
    };
    // Our own chunking of the same texts, and the gateway's dry run of the prompts they make.
    const requests: Array<Record<string, unknown>> = [];
    let chunkTokens = 0;
    for (const [i, text] of texts.entries()) {
      const tokens = encode(text);
      for (let start = 0, index = 0; start < tokens.length; start += CHUNK_TOKENS - OVERLAP, index++) {
        const window = tokens.slice(start, start + CHUNK_TOKENS);
        chunkTokens += window.length;
        const chunk = decode(window);
        requests.push({ custom_id: `${i}-${index}`, body: { model: 'docs-counted', messages: [{ role: 'user', content: PROMPT.replace('{{filename}}', `e${i}.txt`).replace('{{chunk_index}}', String(index)).replace('{{chunk}}', chunk) }] } });
        if (start + CHUNK_TOKENS >= tokens.length) break;
      }
    }
    const dryRun = (await api(gateway.baseUrl, TEAM_A_KEY).post('/v1/batches', { requests, endpoint: '/v1/chat/completions', completion_window: '24h', dry_run: true })).body as {
      input_tokens: number;
      cost_usd: { min: number; max: number };
    };
    assert.equal(estimate.documents, 3);
    assert.equal(estimate.chunks, requests.length);
    assert.equal(estimate.chunk_tokens, chunkTokens);
    assert.equal(estimate.input_tokens, dryRun.input_tokens);
    // Each prompt as a chat message: its text and role, 3 framing tokens, and 3 for the reply.
    const ownPromptTokens = requests.reduce((sum, request) => {
      const body = request.body as { messages: Array<{ content: string }> };
      return sum + 6 + countTokens(`user${body.messages[0]?.content}`);
    }, 0);
    assert.equal(estimate.input_tokens, ownPromptTokens);
    assert.deepEqual(estimate.cost_usd, dryRun.cost_usd);
    assert.equal(estimate.cost_usd.min, Math.round(((ownPromptTokens * INPUT_PER_MTOK) / 1e6) * 1e6) / 1e6);
    assert.ok(estimate.cost_usd.max > estimate.cost_usd.min);
    assert.equal(typeof estimate.eta_s, 'number');
    await rm(corpus, { recursive: true, force: true });
  });

  it('redraws one progress bar in place in a terminal, and prints plain lines when stderr is not one', async () => {
    const corpus = await makeCorpus(24);
    const args = ['docs', 'run', corpus, '-m', 'docs-counted', '-p', prompt, '--chunk-tokens', String(CHUNK_TOKENS), '--overlap', String(OVERLAP), '--concurrency', '2'];
    const terminal = spawnPty(process.execPath, [CLI, ...args, '-o', join(work, 'pty.jsonl')], {
      cols: 160,
      rows: 24,
      cwd: repoRoot,
      env: { ...process.env, SWITCHYARD_URL: gateway.baseUrl, SWITCHYARD_API_KEY: TEAM_A_KEY } as Record<string, string>,
    });
    let screen = '';
    terminal.onData((data) => {
      screen += data;
    });
    const exitCode = await new Promise<number>((resolve) => terminal.onExit(({ exitCode: code }) => resolve(code)));
    assert.equal(exitCode, 0, screen);
    const frames = screen.match(/\d+\/\d+ done \| \d+ failed \| \d+ in flight/g) ?? [];
    assert.ok(frames.length >= 3, `the bar was drawn several times: ${frames.length}`);
    assert.match(screen, /\r|\u001b\[\d*G/, 'redrawn in place (carriage return or cursor to column)');
    assert.ok(!/docs: \d+\/\d+ done/.test(screen), 'no plain progress lines in a terminal');

    const piped = await cliExit([...args, '-o', join(work, 'piped.jsonl'), '--progress-interval', '1']);
    assert.equal(piped.code, 0, piped.output);
    const progressLines = piped.proc.lines.filter((line) => /^docs: \d+\/\d+ done, \d+ failed, \d+ in flight, [\d.]+\/s, ETA \S+, [\d,]+ tokens, \$[\d.]+$/.test(line));
    assert.ok(progressLines.length >= 2, piped.output);
    assert.ok(!/\r|\u001b\[/.test(piped.output), 'no control sequences in a pipe');
    await rm(corpus, { recursive: true, force: true });
  });

  it('exits with a usage error for a missing folder, an empty match, a bad prompt file and an unknown model', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'switchyard-docs-empty-'));
    await writeFile(join(empty, 'notes.json'), '{}');
    const noChunk = join(work, 'no-chunk.txt');
    await writeFile(noChunk, 'summarize {{document}}');
    const unknown = join(work, 'unknown.txt');
    await writeFile(unknown, '{{chunk}} {{author}}');
    const run = (source: string, promptFile: string, model = 'docs-echo'): Promise<{ code: number | null; output: string }> =>
      cliExit(['docs', 'run', source, '-m', model, '-p', promptFile, '-o', join(work, 'never.jsonl')]);

    const cases: Array<[Promise<{ code: number | null; output: string }>, RegExp]> = [
      [run(join(work, 'no-such-folder'), prompt), /no such folder or file/],
      [run(empty, prompt), /no documents .* match/],
      [run(join(empty, '*.txt'), prompt), /no documents .* match/],
      [run(empty, join(work, 'missing-prompt.txt')), /cannot read .*missing-prompt\.txt/],
      [run(work, noChunk), /must contain \{\{chunk\}\}/],
      [run(work, unknown), /unknown placeholders \{\{author\}\}/],
      [run(work, prompt, 'no-such-model'), /does not route --model no-such-model/],
    ];
    for (const [result, message] of cases) {
      const { code, output } = await result;
      assert.equal(code, 2, output);
      assert.match(output, message);
    }
    assert.ok(!existsSync(join(work, 'never.jsonl')), 'nothing was written');
    await rm(empty, { recursive: true, force: true });
  });
});
