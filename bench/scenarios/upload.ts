import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { request } from 'undici';
import type { PrivateRedis } from '../../test/support';
import { BENCH_KEY, MODEL_OF, benchConfig } from '../config';
import type { ProcessMonitor } from '../monitor';
import { startApi } from '../processes';
import { atMost, info, type Row } from '../report';
import { nowMs, round } from '../stats';

export interface UploadOptions {
  redis: PrivateRedis;
  monitor: ProcessMonitor;
  /** Size of the generated JSONL, in MB (10^6 bytes). */
  megabytes: number;
  nodeArgs?: readonly string[];
}

export interface UploadResult {
  bytes: number;
  lines: number;
  seconds: number;
  status: number;
  /** RSS of the api process when it was ready, and its peak over the upload, MB. */
  startMB: number;
  peakMB: number;
}

const LABEL = 'api (upload)';
/** About 1 KB per request line, like a short chat prompt with some context. */
const PADDING = 900;
/** Lines generated per piece of the request body. */
const LINES_PER_PIECE = 256;

function requestLine(index: number, padding: string): string {
  const body = { model: MODEL_OF.mock, messages: [{ role: 'user', content: `request ${index}: ${padding}` }] };
  return `${JSON.stringify({ custom_id: `r-${index}`, method: 'POST', url: '/v1/chat/completions', body })}\n`;
}

/**
 * The multipart body of a `purpose: batch` upload of about `bytes` of request lines, generated as
 * it is sent so this process does not hold it either.
 */
async function* multipartBody(boundary: string, bytes: number, counted: { lines: number; bytes: number }): AsyncGenerator<Buffer> {
  yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="purpose"\r\n\r\nbatch\r\n`);
  yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="bench.jsonl"\r\ncontent-type: application/jsonl\r\n\r\n`);
  const padding = 'x'.repeat(PADDING);
  while (counted.bytes < bytes) {
    let piece = '';
    for (let i = 0; i < LINES_PER_PIECE && counted.bytes + piece.length < bytes; i += 1) piece += requestLine(counted.lines++, padding);
    counted.bytes += Buffer.byteLength(piece);
    yield Buffer.from(piece);
  }
  yield Buffer.from(`\r\n--${boundary}--\r\n`);
}

/**
 * (i) One `POST /v1/files` of a generated JSONL of `megabytes` to an api process of its own,
 * with its RSS sampled throughout (and its kernel high-water mark read at the end): the upload is
 * streamed into Redis and its lines checked as they pass, so memory must stay flat.
 */
export async function largeUpload(options: UploadOptions): Promise<UploadResult> {
  const { redis, monitor, megabytes } = options;
  const api = await startApi(redis, benchConfig({ providers: ['mock'], echoConcurrency: 1, slowDelayMs: 0, slowConcurrency: 1 }), options.nodeArgs);
  monitor.track(LABEL, api.process.pid);
  monitor.start();
  const boundary = `bench-${randomBytes(8).toString('hex')}`;
  const counted = { lines: 0, bytes: 0 };
  const started = nowMs();
  try {
    const response = await request(`${api.baseUrl}/v1/files`, {
      method: 'POST',
      headers: { authorization: `Bearer ${BENCH_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      body: Readable.from(multipartBody(boundary, megabytes * 1e6, counted)),
      headersTimeout: 600_000,
      bodyTimeout: 600_000,
    });
    const answer = (await response.body.json()) as { id?: string };
    const seconds = (nowMs() - started) / 1000;
    monitor.finalize(LABEL);
    const peak = monitor.peaks().find((entry) => entry.name === LABEL);
    // The file is 200 MB of Redis memory the phases after this one should not carry.
    if (answer.id !== undefined) await request(`${api.baseUrl}/v1/files/${answer.id}`, { method: 'DELETE', headers: { authorization: `Bearer ${BENCH_KEY}` } }).then((r) => r.body.dump());
    return { bytes: counted.bytes, lines: counted.lines, seconds, status: response.statusCode, startMB: peak?.startMB ?? 0, peakMB: peak?.peakMB ?? 0 };
  } finally {
    await api.process.kill('SIGTERM', 15_000);
  }
}

export function uploadRows(result: UploadResult, rssLimitMB: number): Row[] {
  const megabytes = round(result.bytes / 1e6, 0);
  return [
    info('i', `upload ${megabytes} MB JSONL (${result.lines.toLocaleString('en-US')} lines, purpose batch), HTTP ${result.status}`, result.bytes / 1e6 / result.seconds, 'MB/s'),
    atMost('i', `peak RSS api during that upload (${Math.round(result.startMB)} MB when ready)`, result.peakMB, 'MB', rssLimitMB, `≤ ${rssLimitMB} MB`),
  ];
}

/** `--only upload`: this phase alone, against a private Redis. */
export async function uploadOnly(megabytes: number, rssLimitMB: number, nodeArgs: readonly string[]): Promise<Row[]> {
  const { PrivateRedis, stopAll } = await import('../../test/support');
  const { ProcessMonitor } = await import('../monitor');
  const redis = await PrivateRedis.start({ appendonly: true });
  const monitor = new ProcessMonitor(100);
  try {
    return uploadRows(await largeUpload({ redis, monitor, megabytes, nodeArgs }), rssLimitMB);
  } finally {
    monitor.stop();
    await stopAll(5_000);
    await redis.stop();
  }
}
