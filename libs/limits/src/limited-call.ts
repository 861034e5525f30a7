/** One provider call to run under that provider's limits. */
export interface LimitedCall {
  provider: string;
  /** Upstream model id; selects the per-model limits when the provider configures some. */
  model: string;
  /** Estimated prompt tokens plus the maximum output: the call's weight against tpm. */
  tokens: number;
  /** False for bulk work, which is also held to the share of each limit the interactive reserve leaves. */
  interactive: boolean;
  /** 1 (highest) to 10: the order among calls waiting in this process. */
  priority?: number;
  /** Aborting while the call still waits rejects it at once with `signal.reason`. */
  signal?: AbortSignal;
}

/** A provider's limits and their current use across all processes; shown to clients as JSON. */
export interface LimiterState {
  rpm: number | null;
  tpm: number | null;
  concurrency: number | null;
  /** Calls in flight on the provider across all processes (0 when it has no limits: nothing counts them then). */
  running: number;
  /** What is left of the tpm token bucket, or null without a tpm limit. */
  tokens_available: number | null;
}
