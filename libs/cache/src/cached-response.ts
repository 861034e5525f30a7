import type { JobResult, Usage } from '@switchyard/contracts';

/** A stored answer, with what a job finished from it needs to report where it came from. */
export interface CachedResponse {
  result: JobResult;
  usage: Usage;
  provider: string;
  provider_model: string;
  /** Unix milliseconds. */
  stored_at: number;
}
