import { Module } from '@nestjs/common';
import { ProviderRegistry } from './provider-registry';

/** The provider adapters. SwitchyardConfig comes from the global ConfigModule. */
@Module({ providers: [ProviderRegistry], exports: [ProviderRegistry] })
export class ProvidersModule {}
