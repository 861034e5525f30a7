import { Module } from '@nestjs/common';
import { ProviderRegistry } from './provider-registry';
import { ModelRegistry } from './registry/model-registry';

const SERVICES = [ProviderRegistry, ModelRegistry];

/** The provider adapters, the model registry and submit-time checks. SwitchyardConfig comes from the global ConfigModule. */
@Module({ providers: SERVICES, exports: SERVICES })
export class ProvidersModule {}
