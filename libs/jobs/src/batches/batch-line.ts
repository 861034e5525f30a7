import { CreateEmbeddingJobDto, CreateJobDto, GatewayError, InvalidRequestError, validateBody, type BatchEndpoint, type BatchError } from '@switchyard/contracts';
import { callCommand } from '../call-command';
import type { SubmitJobCommand } from '../use-cases/submit-job';

export type ParsedLine = { ok: true; customId: string; command: SubmitJobCommand } | { ok: false; error: BatchError };

const LINE_FIELDS = new Set(['custom_id', 'method', 'url', 'body']);
const MAX_CUSTOM_ID_CHARS = 512;
/** Job fields a line may not set: the batch decides them for all its lines. */
const BATCH_FIELDS = ['priority', 'webhook', 'idempotency_key', 'timeout_s', 'expires_at'] as const;

function problem(line: number, code: string, message: string, param: string | null): ParsedLine {
  return { ok: false, error: { code, message: `Line ${line}: ${message}`, param, line } };
}

/**
 * One input line in OpenAI's format (`custom_id`, `method: POST`, `url` equal to the batch's
 * endpoint, `body`), its body validated as `POST /v1/jobs` validates one. `number` is the line's
 * 1-based place in the file. The command still lacks what the batch adds (id, priority, deadline).
 */
export function parseBatchLine(text: string, number: number, endpoint: BatchEndpoint, owner: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return problem(number, 'invalid_json_line', `is not valid JSON (${(error as Error).message}).`, null);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return problem(number, 'invalid_json_line', 'is not a JSON object.', null);
  const line = value as Record<string, unknown>;
  const unknown = Object.keys(line).find((key) => !LINE_FIELDS.has(key));
  if (unknown !== undefined) return problem(number, 'invalid_request', `unrecognized field '${unknown}'; a line has custom_id, method, url and body.`, unknown);
  const customId = line.custom_id;
  if (customId === undefined) return problem(number, 'missing_required_parameter', "missing required field 'custom_id'.", 'custom_id');
  if (typeof customId !== 'string' || customId.length === 0 || customId.length > MAX_CUSTOM_ID_CHARS) {
    return problem(number, 'invalid_custom_id', `custom_id must be a string of 1 to ${MAX_CUSTOM_ID_CHARS} characters.`, 'custom_id');
  }
  if (line.method !== 'POST') return problem(number, 'invalid_method', "method must be 'POST'.", 'method');
  if (line.url !== endpoint) return problem(number, 'invalid_url', `url must be the batch's endpoint, ${endpoint}.`, 'url');
  if (typeof line.body !== 'object' || line.body === null || Array.isArray(line.body)) {
    return problem(number, 'missing_required_parameter', 'body must be a JSON object.', 'body');
  }
  try {
    return { ok: true, customId, command: parseBody(line.body as Record<string, unknown>, endpoint, owner) };
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    return problem(number, error.code ?? 'invalid_request', `body: ${error.message}`, error.param === null ? 'body' : `body.${error.param}`);
  }
}

function parseBody(body: Record<string, unknown>, endpoint: BatchEndpoint, owner: string): SubmitJobCommand {
  const embedding = endpoint === '/v1/embeddings';
  const dto = embedding ? validateBody(CreateEmbeddingJobDto, { type: 'embedding', ...body }) : validateBody(CreateJobDto, body);
  const set = BATCH_FIELDS.find((field) => dto[field] !== undefined);
  if (set !== undefined) throw new InvalidRequestError(`${set} is set by the batch for all its lines; leave it out.`, set);
  return callCommand(owner, embedding ? 'embedding' : 'chat', dto, ['type', 'stream', ...BATCH_FIELDS]);
}
