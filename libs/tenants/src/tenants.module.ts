import { Global, Module } from '@nestjs/common';
import { ApiKeyAdmin } from './api-key-admin';
import { ApiKeys } from './api-keys';
import { RuntimeKeyStore } from './runtime-key-store';
import { TenantKeys } from './tenant-keys';
import { UsageLedger } from './usage-ledger';
import { WebhookSecretVault } from './webhook-secret-vault';

const SERVICES = [TenantKeys, RuntimeKeyStore, WebhookSecretVault, ApiKeys, ApiKeyAdmin, UsageLedger];

/**
 * The directory of API keys (config file and run time) and their usage. Global: limits, webhooks,
 * jobs and the HTTP layer all read per-key settings through ApiKeys. Needs ConfigModule and RedisModule.
 */
@Global()
@Module({ providers: SERVICES, exports: SERVICES })
export class TenantsModule {}
