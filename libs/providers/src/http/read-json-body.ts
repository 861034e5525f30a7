import type { z } from 'zod';

/**
 * A provider body read as the given shape, or undefined when it is not JSON or not that shape:
 * error bodies come from proxies and load balancers too, so no reader may assume JSON.
 */
export function readJsonBody<T extends z.ZodType>(schema: T, text: string, unwrap: (json: unknown) => unknown = (json) => json): z.output<T> | undefined {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(unwrap(json));
  return parsed.success ? parsed.data : undefined;
}
