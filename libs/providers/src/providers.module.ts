import { Module } from '@nestjs/common';
import { ProviderRegistry } from './provider-registry';
import { ModelRegistry } from './registry/model-registry';
import { TargetAdmission } from './target-admission';

const SERVICES = [ProviderRegistry, ModelRegistry, TargetAdmission];

/** The provider adapters, the model registry and submit-time checks. SwitchyardConfig comes from the global ConfigModule. */
@Module({ providers: SERVICES, exports: SERVICES })
export class ProvidersModule {}
