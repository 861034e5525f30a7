import { createReadStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import OpenAI from 'openai';
import type { FileObject, FilePurpose } from 'openai/resources/files';
import { EXIT, type CliContext } from './cli-context';
import { CliError, gatewayRefusal, gatewayUnreachable } from './cli-error';
import { assertReadableFile } from './input-file';

/** The gateway's error message from an OpenAI-shaped body, or the start of whatever it sent. */
function errorMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') return parsed.error.message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return body.trim().slice(0, 200) || `HTTP ${status}`;
}

/**
 * The CLI's one way to the gateway: JSON requests over fetch for Switchyard's own routes, and an
 * OpenAI SDK instance for files and batches. Every failure becomes a CliError with its exit code.
 */
export class GatewayClient {
  constructor(private readonly context: CliContext) {}

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(EXIT.unavailable, `the server at ${this.context.url} did not answer as a Switchyard gateway (no JSON from ${path})`);
    }
  }

  /** Streams a response body (e.g. JSONL results) into `destination`, which is left open. */
  async download(path: string, destination: Writable): Promise<void> {
    const response = await this.send('GET', path);
    if (response.body === null) return;
    await pipeline(Readable.fromWeb(response.body), destination, { end: false });
  }

  /** The official SDK against `<url>/v1` with the CLI's key, for /v1/files and /v1/batches. */
  openai(): OpenAI {
    return new OpenAI({
      baseURL: `${this.context.url}/v1`,
      // An open gateway takes any key; the SDK insists on one, and must never fall back to OPENAI_API_KEY.
      apiKey: this.context.key ?? 'no-key',
      adminAPIKey: null,
      organization: null,
      project: null,
    });
  }

  /** Uploads a local file to /v1/files (multipart, through the SDK); a missing file is a usage error. */
  async upload(path: string, purpose: FilePurpose): Promise<FileObject> {
    await assertReadableFile(path);
    try {
      return await this.openai().files.create({ file: createReadStream(path), purpose });
    } catch (error) {
      throw fromSdkError(error, this.context.url);
    }
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.context.key !== undefined) headers.authorization = `Bearer ${this.context.key}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${this.context.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw gatewayUnreachable(this.context.url);
    }
    if (!response.ok) throw gatewayRefusal(response.status, errorMessage(response.status, await response.text()));
    return response;
  }
}

/** Errors the SDK throws, mapped as the fetch path maps them; anything else is returned unchanged. */
export function fromSdkError(error: unknown, url: string): unknown {
  if (error instanceof OpenAI.APIConnectionError) return gatewayUnreachable(url);
  if (error instanceof OpenAI.APIError && error.status !== undefined) {
    const body = error.error as { message?: unknown } | undefined;
    return gatewayRefusal(error.status, typeof body?.message === 'string' ? body.message : error.message);
  }
  return error;
}
