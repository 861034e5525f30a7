import type { ModelTarget } from '@switchyard/config';

/** A target in a job's plan, remembering which public model put it there (its fail-fast rules apply). */
export interface RouteTarget extends ModelTarget {
  readonly via: string;
}

export interface RoutePlan {
  /** The public model the client asked for first. */
  model: string;
  /** In the order they are tried: the first gets the job, later ones are its fallbacks. */
  targets: RouteTarget[];
}
