/**
 * How many jobs wait on each provider's queue, from a local cache. Implemented where the queues
 * live (the jobs lib); routing only reads it, so it never makes a Redis call per request.
 */
export abstract class QueueLoad {
  abstract waiting(provider: string): number;
}
