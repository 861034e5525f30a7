import { z } from 'zod';
import { parseFamilyOptions } from '../params/family-options';

/** Cohere's embed input types for text; the right one depends on how the vectors will be used. */
const EMBED_INPUT_TYPES = ['search_document', 'search_query', 'classification', 'clustering'] as const;

const cohereOptionsSchema = z.strictObject({
  /**
   * Embed v3+ models require an input_type and OpenAI's request has no such field, so it is chosen
   * per provider. Documents are the common case for bulk embedding jobs.
   */
  embed_input_type: z.enum(EMBED_INPUT_TYPES).default('search_document'),
});

export type CohereOptions = z.infer<typeof cohereOptionsSchema>;

/** `providers.<name>.options` for a cohere provider, or an Error naming the offending key. */
export function readCohereOptions(provider: string, options: Readonly<Record<string, unknown>>): CohereOptions {
  return parseFamilyOptions(cohereOptionsSchema, { name: provider, options });
}
