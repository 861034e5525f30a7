import type { ProviderConfig } from '@switchyard/config';
import type { z } from 'zod';

/**
 * Validates a provider's family-specific `options` once at boot. The error names the offending
 * key the way the config loader does (`providers.<name>.options.<key>: <problem>`), and never its value.
 */
export function parseFamilyOptions<T extends z.ZodType>(schema: T, config: Pick<ProviderConfig, 'name' | 'options'>): z.output<T> {
  const parsed = schema.safeParse(config.options);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const unknown = issue.code === 'unrecognized_keys';
  const keys = unknown ? issue.keys.slice(0, 1) : issue.path.map(String);
  const where = [`providers.${config.name}.options`, ...keys].join('.');
  const shape = (schema as { shape?: object }).shape;
  const known = shape ? ` (known: ${Object.keys(shape).join(', ') || 'none'})` : '';
  throw new Error(`${where}: ${unknown ? `is not an option of this provider type${known}` : issue.message}`);
}
