import { z } from 'zod';

const tokenLimit = z.number().int().nonnegative().nullish();

/**
 * Only the fields the mock reads are checked; everything else an OpenAI client may send (tools,
 * response_format, temperature, ...) is accepted and ignored, as a permissive upstream would.
 */
export const chatBodySchema = z.looseObject({
  model: z.string().min(1),
  messages: z
    .array(
      z.looseObject({
        role: z.string(),
        content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() })), z.null()]).optional(),
      }),
    )
    .min(1),
  max_tokens: tokenLimit,
  max_completion_tokens: tokenLimit,
  n: z.number().int().min(1).max(128).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

export type ChatBody = z.infer<typeof chatBodySchema>;
