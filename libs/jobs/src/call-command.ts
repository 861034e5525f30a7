import { InvalidRequestError, MAX_JOB_TIMEOUT_S, type JobRequest, type RouteDto } from '@switchyard/contracts';
import type { SubmitJobCommand } from './use-cases/submit-job';

/** The routing and deadline fields every call DTO shares (WithCallFields). */
export interface CallFields {
  metadata?: Record<string, string>;
  cache?: false | { ttl_s?: number };
  timeout_s?: number;
  expires_at?: number;
  models?: string[];
  route?: RouteDto;
}

const CALL_FIELDS = ['metadata', 'cache', 'timeout_s', 'expires_at', 'models', 'route'] as const;

/**
 * A validated call body as the submit command: the request proper (a plain copy, less the call
 * fields and what `omit` names) and the routing, cache and deadline choices.
 */
export function callCommand(owner: string, type: JobRequest['type'], dto: CallFields, omit: readonly string[] = []): SubmitJobCommand {
  const fields: Record<string, unknown> = { ...dto };
  for (const name of [...CALL_FIELDS, ...omit]) delete fields[name];
  // A plain copy: the stored request must not carry DTO class instances or undefined fields.
  const request = JSON.parse(JSON.stringify({ ...fields, type })) as JobRequest;
  const fallbackModels = [...(dto.models ?? []), ...(dto.route?.models ?? [])];
  return {
    owner,
    request,
    route: { ...(fallbackModels.length > 0 && { fallbackModels }), ...(dto.route?.strategy && { strategy: dto.route.strategy }) },
    metadata: dto.metadata,
    ...(dto.cache !== undefined && { cache: dto.cache === false ? false : { ...dto.cache } }),
    ...deadlineOf(dto.timeout_s, dto.expires_at),
  };
}

function deadlineOf(timeoutS: number | undefined, expiresAt: number | undefined): { deadline?: number } {
  if (timeoutS !== undefined && expiresAt !== undefined) throw new InvalidRequestError('Give either timeout_s or expires_at, not both.', 'expires_at');
  if (timeoutS !== undefined) return { deadline: Date.now() + timeoutS * 1000 };
  if (expiresAt === undefined) return {};
  const deadline = expiresAt * 1000;
  if (deadline <= Date.now() || deadline > Date.now() + MAX_JOB_TIMEOUT_S * 1000) {
    throw new InvalidRequestError('expires_at must be a Unix time in seconds, in the future and at most 30 days away.', 'expires_at');
  }
  return { deadline };
}
