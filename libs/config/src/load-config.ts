import { resolve } from 'node:path';
import { buildConfig } from './build-config';
import { BUILT_IN_SOURCE, builtInConfigTree } from './built-in-config';
import { ConfigError } from './config-error';
import { formatIssue, isWithin, type ConfigIssue } from './config-issue';
import { configSchema } from './config.schema';
import { applyEnvOverrides } from './env-overrides';
import { substituteEnv } from './env-substitution';
import { fallbackMessage, issuesFromZod } from './schema-messages';
import type { SwitchyardConfig } from './switchyard-config';
import { isMapping, parseConfigYaml, readConfigText, type ConfigTree } from './yaml-tree';

const CONFIG_PATH_ENV = 'SWITCHYARD_CONFIG';

/**
 * Loads the file named by SWITCHYARD_CONFIG (or the built-in default when it is unset),
 * substitutes `${ENV}` references, applies PORT/HOST/REDIS_URL/LOG_LEVEL and validates the
 * result. Every problem found is reported at once in one ConfigError.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): SwitchyardConfig {
  const file = env[CONFIG_PATH_ENV];
  if (file === undefined || file === '') return configFromTree(builtInConfigTree(), BUILT_IN_SOURCE, env);

  const source = resolve(file);
  const read = readConfigText(source, CONFIG_PATH_ENV);
  if (!read.ok) throw configError(source, read.issues);
  const parsed = parseConfigYaml(read.text);
  if (!parsed.ok) throw configError(source, parsed.issues);
  return configFromTree(parsed.tree, source, env);
}

function configFromTree(tree: ConfigTree, source: string, env: NodeJS.ProcessEnv): SwitchyardConfig {
  const substituted = substituteEnv(tree, env);
  const overridden = applyEnvOverrides(substituted.value as ConfigTree, env);
  const schema = configSchema(providerNames(overridden.tree));
  const result = schema.safeParse(overridden.tree, { error: fallbackMessage });

  // A value whose substitution failed still holds its raw `${...}` text; whatever the schema
  // says about that text would only repeat the substitution problem.
  const unresolved = substituted.issues.map((issue) => issue.path);
  const schemaIssues = result.success
    ? []
    : issuesFromZod(result.error).filter((issue) => !unresolved.some((path) => isWithin(issue.path, path)));
  const issues = [...substituted.issues, ...overridden.issues, ...schemaIssues];
  if (issues.length > 0 || !result.success) throw configError(source, issues);
  return buildConfig(result.data, source);
}

function providerNames(tree: ConfigTree): ReadonlySet<string> {
  return new Set(isMapping(tree.providers) ? Object.keys(tree.providers) : []);
}

function configError(source: string, issues: readonly ConfigIssue[]): ConfigError {
  return new ConfigError(source, [...new Set(issues.map(formatIssue))]);
}
