export { LimitsModule } from './limits.module';
export { ProviderLimiters } from './provider-limiters';
export { TenantLimits } from './tenant-limits';
export type { LimitedCall, LimiterState } from './limited-call';
