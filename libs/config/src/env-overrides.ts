import type { z } from 'zod';
import { healthPortSchema, hostSchema, logLevelSchema, portSchema, redisClusterNodesEnvSchema, redisUrlSchema, secretsKeySchema } from './config.schema';
import type { ConfigIssue } from './config-issue';
import { fallbackMessage, issuesFromZod } from './schema-messages';
import { isMapping, setOwn, type ConfigTree } from './yaml-tree';

interface Override {
  readonly env: string;
  readonly section: string;
  readonly key: string;
  readonly schema: z.ZodType;
}

/** Variables that platforms (containers, PaaS) conventionally set, and secrets kept out of files; they win over the file. */
const OVERRIDES: readonly Override[] = [
  { env: 'PORT', section: 'server', key: 'port', schema: portSchema },
  { env: 'HOST', section: 'server', key: 'host', schema: hostSchema },
  { env: 'REDIS_URL', section: 'redis', key: 'url', schema: redisUrlSchema },
  { env: 'REDIS_CLUSTER_NODES', section: 'redis', key: 'cluster', schema: redisClusterNodesEnvSchema },
  { env: 'LOG_LEVEL', section: 'log', key: 'level', schema: logLevelSchema },
  { env: 'WORKER_HEALTH_PORT', section: 'worker', key: 'health_port', schema: healthPortSchema },
  { env: 'SWITCHYARD_SECRETS_KEY', section: 'auth', key: 'secrets_key', schema: secretsKeySchema },
];

/**
 * Puts valid override values into the tree before validation. An invalid one is reported
 * under its variable name and left out, so the file's own value is still checked.
 */
export function applyEnvOverrides(tree: ConfigTree, env: NodeJS.ProcessEnv): { tree: ConfigTree; issues: ConfigIssue[] } {
  const out: ConfigTree = { ...tree };
  const issues: ConfigIssue[] = [];
  for (const { env: name, section, key, schema } of OVERRIDES) {
    const raw = env[name];
    // An empty variable is how shells and compose files say "unset".
    if (raw === undefined || raw === '') continue;
    const result = schema.safeParse(raw, { error: fallbackMessage });
    if (!result.success) {
      issues.push(...issuesFromZod(result.error, [name]));
      continue;
    }
    const current = out[section] ?? {};
    // A section of the wrong type is left for the schema to report.
    if (!isMapping(current)) continue;
    const updated = { ...current };
    setOwn(updated, key, result.data);
    out[section] = updated;
  }
  return { tree: out, issues };
}
