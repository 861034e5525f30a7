import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

const ollamaOptionsSchema = z.strictObject({
  /** How long Ollama keeps the model loaded after a call (`5m`, `1h`, seconds as a number, -1 forever); Ollama's default when unset. */
  keep_alive: z.union([z.string().min(1), z.number()]).optional(),
  /**
   * Whether /api/embed may cut inputs longer than the model's context. Off by default so an
   * embedding never silently describes only part of its text (OpenAI refuses such inputs too).
   */
  embed_truncate: z.boolean().default(false),
});

export type OllamaOptions = z.infer<typeof ollamaOptionsSchema>;

/** `providers.<name>.options` for an ollama provider, or an Error naming the offending key. */
export function readOllamaOptions(provider: string, options: Readonly<Record<string, unknown>>): OllamaOptions {
  return parseFamilyOptions(ollamaOptionsSchema, { name: provider, options });
}
