import type { RouteTarget } from '../route-target';

/**
 * Smooth weighted round-robin (as in nginx): over any run of jobs each target's share stays within
 * one pick of its weight, where a random draw would drift by the square root of the count.
 * State is per process; several API processes each keep the split, so the sum keeps it too.
 */
export class WeightedRotation {
  private readonly current = new Map<string, number[]>();

  /** The index of the next target for this model. */
  next(model: string, targets: readonly RouteTarget[]): number {
    let scores = this.current.get(model);
    if (!scores || scores.length !== targets.length) {
      scores = targets.map(() => 0);
      this.current.set(model, scores);
    }
    const total = targets.reduce((sum, target) => sum + target.weight, 0);
    let best = 0;
    targets.forEach((target, i) => {
      scores[i] += target.weight;
      if (scores[i] > scores[best]) best = i;
    });
    scores[best] -= total;
    return best;
  }
}
