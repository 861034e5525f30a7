import { EXIT } from '../cli-context';
import { CliError } from '../cli-error';
import { readInputFile, readJsonObject } from '../input-file';

export interface JobBodyOptions {
  model?: string;
  body?: string;
  priority?: number;
  idempotencyKey?: string;
}

/**
 * The POST /v1/jobs body from the command line: a JSON body file if given, with `--model`
 * replacing its model and the prompt appended as a user message.
 */
export async function buildJobBody(prompt: string | undefined, options: JobBodyOptions): Promise<Record<string, unknown>> {
  const body = options.body === undefined ? {} : await readJsonObject(options.body);
  if (options.model !== undefined) body.model = options.model;
  if (prompt !== undefined) {
    const content = prompt === '-' ? await readInputFile('-') : prompt;
    const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
    body.messages = [...messages, { role: 'user', content }];
  }
  if (options.priority !== undefined) body.priority = options.priority;
  if (options.idempotencyKey !== undefined) body.idempotency_key = options.idempotencyKey;
  if (typeof body.model !== 'string') throw new CliError(EXIT.usage, 'no model: give --model, or a body file with "model"');
  if (body.messages === undefined && body.input === undefined) throw new CliError(EXIT.usage, 'no prompt: give one as an argument (- for stdin), or a body file with "messages"');
  return body;
}
