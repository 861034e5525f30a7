import type { IncomingHttpHeaders } from 'node:http';
import { MockDirectiveError, type MockDirective, type MockStreamFaults } from '@switchyard/providers';
import { z } from 'zod';

/** The server-wide defaults, set from env at boot and by PUT /_control/behaviour at runtime. */
export interface MockBehaviour {
  latency_ms: number;
  error_rate: number;
  /** The status random failures use. */
  status: number;
  /** Sent as retry-after with the failures the error_rate picks. */
  retry_after_s?: number;
  hang: boolean;
  /** Answer 200, then cut the connection mid-response (see AnswerFault). */
  reset: boolean;
  /** Answer 200 with a body that is not valid JSON (see AnswerFault). */
  malformed_json: boolean;
  /** Stream faults for every streamed answer, unless a directive sets its own (see MockStreamFaults). */
  stream_fail_after?: number;
  stream_truncate_after?: number;
  stream_stall_after?: number;
  stream_interval_ms?: number;
}

/** A stream fault in a patch: a count, or null to clear it. */
const chunkCount = z.number().int().min(0).nullable().optional();

export const behaviourPatchSchema = z.strictObject({
  latency_ms: z.number().nonnegative().optional(),
  error_rate: z.number().min(0).max(1).optional(),
  status: z.number().int().min(400).max(599).optional(),
  retry_after_s: z.number().int().min(0).optional(),
  hang: z.boolean().optional(),
  reset: z.boolean().optional(),
  malformed_json: z.boolean().optional(),
  stream_fail_after: chunkCount,
  stream_truncate_after: chunkCount,
  stream_stall_after: chunkCount,
  stream_interval_ms: z.number().nonnegative().nullable().optional(),
  /** Applies the change for this long, then puts the previous behaviour back (an outage window). */
  for_ms: z.number().int().positive().optional(),
});

const STREAM_FAULTS = ['stream_fail_after', 'stream_truncate_after', 'stream_stall_after', 'stream_interval_ms'] as const;

export type BehaviourPatch = Omit<z.infer<typeof behaviourPatchSchema>, 'for_ms'>;

/** The behaviour after a patch: given fields replace the current ones, a null stream fault clears it. */
export function patchBehaviour(current: MockBehaviour, patch: BehaviourPatch): MockBehaviour {
  const { stream_fail_after, stream_truncate_after, stream_stall_after, stream_interval_ms, ...plain } = patch;
  const next: MockBehaviour = { ...current, ...plain };
  const faults = { stream_fail_after, stream_truncate_after, stream_stall_after, stream_interval_ms };
  for (const name of STREAM_FAULTS) {
    const value = faults[name];
    if (value === null) delete next[name];
    else if (value !== undefined) next[name] = value;
  }
  return next;
}

export interface PlannedFailure {
  status: number;
  retryAfterS?: number;
  code?: string;
}

/**
 * A 200 answer broken on the wire, for what a gateway must survive from an upstream that fails
 * after it said yes: `reset` sends the headers and the start of the answer (half the JSON body; a
 * stream's frames before its first content), then destroys the connection; `malformed_json` sends
 * the JSON body cut in half (a stream: its first content event cut in half, then the end).
 */
export type AnswerFault = 'reset' | 'malformed_json';

/** What one request will do: how long to wait, then fail or answer, and how a streamed answer misbehaves. */
export interface RequestPlan {
  wait: number | 'forever';
  failure?: PlannedFailure;
  faults: MockStreamFaults;
  answerFault?: AnswerFault;
}

/** Each stream fault from the directive, else from the server defaults. */
function streamFaults(directive: MockDirective, defaults: MockBehaviour): MockStreamFaults {
  const faults: MockStreamFaults = {};
  for (const name of STREAM_FAULTS) {
    const value = directive[name] ?? defaults[name];
    if (value !== undefined) faults[name] = value;
  }
  return faults;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) || undefined;
}

function numericHeader(headers: IncomingHttpHeaders, name: string, check: (value: number) => boolean): number | undefined {
  const raw = header(headers, name);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new MockDirectiveError(`${name}: '${raw}' is not valid`);
  return value;
}

function flagHeader(headers: IncomingHttpHeaders, name: string): boolean | undefined {
  const raw = header(headers, name);
  return raw === undefined ? undefined : raw === '1' || raw === 'true';
}

/** The x-mock-* headers, for clients that cannot touch the prompt (load generators, SDK smoke tests). */
function headerDirective(headers: IncomingHttpHeaders): MockDirective {
  return {
    latency_ms: numericHeader(headers, 'x-mock-latency-ms', (v) => v >= 0),
    status: numericHeader(headers, 'x-mock-status', (v) => Number.isInteger(v) && v >= 400 && v <= 599),
    hang: flagHeader(headers, 'x-mock-hang'),
    reset: flagHeader(headers, 'x-mock-reset'),
    malformed_json: flagHeader(headers, 'x-mock-malformed-json'),
  };
}

/** A requested failure status wins over a body fault: there is no 200 answer to break. */
function answerFault(directive: MockDirective, fromHeaders: MockDirective, defaults: MockBehaviour): AnswerFault | undefined {
  if (directive.reset ?? fromHeaders.reset ?? defaults.reset) return 'reset';
  if (directive.malformed_json ?? fromHeaders.malformed_json ?? defaults.malformed_json) return 'malformed_json';
  return undefined;
}

/**
 * The prompt's directive wins over the headers, which win over the server defaults. A requested
 * status fails every time unless an error_rate makes it a chance; without one, the server's
 * error_rate picks failures with the server's status.
 */
export function planRequest(
  directive: MockDirective,
  headers: IncomingHttpHeaders,
  defaults: MockBehaviour,
  random: () => number,
): RequestPlan {
  const fromHeaders = headerDirective(headers);
  const hang = directive.hang ?? fromHeaders.hang ?? defaults.hang;
  const wait = hang ? 'forever' : (directive.latency_ms ?? fromHeaders.latency_ms ?? defaults.latency_ms);
  const asked = directive.status ?? fromHeaders.status;
  const rate = directive.error_rate ?? (asked !== undefined ? 1 : defaults.error_rate);
  const faults = streamFaults(directive, defaults);
  if (rate <= 0 || random() >= rate) return { wait, faults, answerFault: answerFault(directive, fromHeaders, defaults) };
  const failure = { status: asked ?? defaults.status, retryAfterS: directive.retry_after_s ?? defaults.retry_after_s, code: directive.error_code };
  return { wait, failure, faults };
}
