import { Module } from '@nestjs/common';
import { ProvidersModule } from '@switchyard/providers';
import { CapabilityFilter } from './capability-filter';
import { ProviderHealth } from './health/provider-health';
import { ModelRouter } from './model-router';

/** Expects a QueueLoad from the app (the jobs lib provides one) and the global config and Redis modules. */
@Module({ imports: [ProvidersModule], providers: [ModelRouter, CapabilityFilter, ProviderHealth], exports: [ModelRouter, ProviderHealth] })
export class RoutingModule {}
