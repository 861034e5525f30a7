import type { JobRecord } from '../job-record';

/** A place for one direct call, taken before its record is written. */
export interface DirectSlot {
  /** When the call's lease runs out unless the process renews it. */
  readonly leaseUntil: number;
  /** Other direct calls were in flight when it was taken: its writes may share their round trips. */
  readonly crowded: boolean;
  /**
   * Takes the call while CREATE_DIRECT_JOB is on its way (`created`): it runs if the script started
   * the job, writing nothing before it knows, and is dropped (aborted if already under way) if the
   * job was queued instead or the script failed. Its end is announced like any job's.
   */
  run(job: JobRecord, created: Promise<DirectStart>): void;
  /** Gives the place back when `run` was never called (the submit failed before the record). */
  release(): void;
}

/** CREATE_DIRECT_JOB's answer: the fair-share tag, and whether the job started under the lease. */
export interface DirectStart {
  tag: number;
  direct: boolean;
}

/**
 * An interactive call the API process runs itself when its queue has nothing waiting ahead of it:
 * a free worker would take it next anyway, and this saves the hops through the queue. The job is
 * as durable as a queued one: its record says active, and a lease the process renews stands for
 * the queue entry's lock; a process that dies leaves the lease to run out and a worker queues the
 * job again. Provided by @switchyard/worker (DirectCallsModule); without it every call is queued.
 */
export abstract class DirectCalls {
  /** Null when the call needs a queued run (a stream, a deadline, the cache) or no place is free. */
  abstract reserve(job: JobRecord): DirectSlot | null;
}
