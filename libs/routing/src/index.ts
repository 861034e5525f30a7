export { ModelRouter, type RoutePlan } from './model-router';
export { RoutingModule } from './routing.module';
