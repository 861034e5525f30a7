import type { RoutingStrategy } from '@switchyard/contracts';
import type { RouteTarget } from '../route-target';

/** What the strategies weigh, all read from local caches. */
export interface RoutingSignals {
  latencyMs(target: RouteTarget): number | undefined;
  /** Seconds a new job would wait on the target's provider queue. */
  expectedWaitS(target: RouteTarget): number;
  /** Estimated USD for this request on the target, undefined without registry prices. */
  costUsd(target: RouteTarget): number | undefined;
  /** Index of the target the weighted rotation picks next. */
  weightedPick(targets: readonly RouteTarget[]): number;
}

/** Sorts by a key, keeping configuration order among equals (Array.prototype.sort is stable). */
function by(targets: RouteTarget[], key: (target: RouteTarget) => number): RouteTarget[] {
  return targets.map((target) => ({ target, key: key(target) })).sort((a, b) => a.key - b.key).map(({ target }) => target);
}

/** The order in which a job tries its targets: the first gets it, the rest are fallbacks in turn. */
export function orderTargets(strategy: RoutingStrategy, targets: RouteTarget[], signals: RoutingSignals): RouteTarget[] {
  if (targets.length < 2) return targets;
  switch (strategy) {
    case 'fallback':
      return targets;
    case 'weighted': {
      const first = signals.weightedPick(targets);
      return [targets[first], ...targets.filter((_, i) => i !== first)];
    }
    // A target never measured goes first, so it gets measured.
    case 'least-latency':
      return by(targets, (target) => signals.latencyMs(target) ?? -1);
    case 'least-queue':
      return by(targets, (target) => signals.expectedWaitS(target));
    case 'cheapest':
      return by(targets, (target) => signals.costUsd(target) ?? Number.POSITIVE_INFINITY);
  }
}
