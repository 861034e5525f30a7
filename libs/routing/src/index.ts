export { ModelRouter, type RouteRequest } from './model-router';
export { RoutingModule } from './routing.module';
export { QueueLoad } from './queue-load';
export type { RoutePlan, RouteTarget } from './route-target';
export { ProviderHealth, type CallOutcome, type CircuitState, type ProviderHealthView } from './health/provider-health';
export { orderTargets, type RoutingSignals } from './strategies/order-targets';
export { WeightedRotation } from './strategies/weighted-rotation';
