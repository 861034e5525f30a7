/** One provider's circuit as stored in Redis, read from its state hash or from a transition message. */
export interface CircuitRecord {
  readonly open: boolean;
  /** Redis time (ms) of the latest opening while open; null while closed. */
  readonly openedAtMs: number | null;
  readonly consecutiveFailures: number;
  readonly openedCount: number;
}

export const CLOSED_CIRCUIT: CircuitRecord = { open: false, openedAtMs: null, consecutiveFailures: 0, openedCount: 0 };

/** The state hash's field names, which transition messages reuse. */
type CircuitFields = Partial<Record<'state' | 'opened_at' | 'consecutive_failures' | 'opened_count', unknown>>;

export function circuitFromFields(fields: CircuitFields): CircuitRecord {
  const open = fields.state === 'open';
  const openedAt = Number(fields.opened_at);
  return {
    open,
    openedAtMs: open && typeof fields.opened_at === 'string' && Number.isFinite(openedAt) ? openedAt : null,
    consecutiveFailures: countOf(fields.consecutive_failures),
    openedCount: countOf(fields.opened_count),
  };
}

export interface CircuitMessage {
  readonly provider: string;
  readonly circuit: CircuitRecord;
}

/** A transition published by the recording script; undefined for anything else on the channel. */
export function parseCircuitMessage(message: string): CircuitMessage | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !('provider' in parsed) || typeof parsed.provider !== 'string') return undefined;
  // Every field is read as unknown and checked, so any object will do.
  return { provider: parsed.provider, circuit: circuitFromFields(parsed as CircuitFields) };
}

/** `ewma:<model>` fields of the state hash. */
export function latenciesFromFields(fields: Readonly<Record<string, string>>): Map<string, number> {
  const latencies = new Map<string, number>();
  for (const [field, value] of Object.entries(fields)) {
    if (field.startsWith('ewma:') && Number.isFinite(Number(value))) latencies.set(field.slice('ewma:'.length), Number(value));
  }
  return latencies;
}

function countOf(value: unknown): number {
  const count = Number(value);
  return typeof value === 'string' && Number.isFinite(count) ? count : 0;
}
