import { z } from 'zod';
import { readJsonBody } from '../http/read-json-body';

/** `{"error":{"message","type","code","param"}}`, and the looser shapes some compatible servers send. */
const errorBodySchema = z.union([
  z.object({
    error: z.object({
      message: z.string().nullish(),
      code: z.union([z.string(), z.number()]).nullish(),
      type: z.string().nullish(),
    }),
  }),
  z.object({ error: z.string() }),
  z.object({ message: z.string(), code: z.union([z.string(), z.number()]).nullish() }),
]);

export interface ProviderErrorInfo {
  message?: string;
  code?: string;
}

/** The provider's own explanation of a failure, if its body has one. */
export function readErrorBody(text: string): ProviderErrorInfo {
  const body = readJsonBody(errorBodySchema, text);
  if (!body) return {};
  if (!('error' in body)) return { message: body.message, code: body.code == null ? undefined : String(body.code) };
  if (typeof body.error === 'string') return { message: body.error };
  const { message, code, type } = body.error;
  return { message: message ?? undefined, code: code == null ? (type ?? undefined) : String(code) };
}
