import { Module } from '@nestjs/common';
import { ProviderLimiters } from './provider-limiters';
import { TenantLimits } from './tenant-limits';

/** Needs the global ConfigModule and RedisModule in the app. */
@Module({ providers: [ProviderLimiters, TenantLimits], exports: [ProviderLimiters, TenantLimits] })
export class LimitsModule {}
