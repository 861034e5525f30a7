export { TenantsModule } from './tenants.module';
export { ANONYMOUS, ApiKeys, type KeyHolder } from './api-keys';
export { RuntimeKeyStore } from './runtime-key-store';
export { TenantKeys } from './tenant-keys';
export { ApiKeyAdmin, type CreatedApiKey } from './api-key-admin';
export { CreateApiKeyDto, KeyLimitsDto } from './create-api-key.dto';
export type { ApiKeyView, KeySettings } from './api-key-record';
export { UsageLedger, USAGE_GROUPS, type UsageGroup, type UsageQuery, type UsageRow, type UsageTotals } from './usage-ledger';
export { monthStartMs, nextMonthStartMs } from './usage-period';
