import type { Usage } from '@switchyard/contracts';
import type { ModelInfo } from './model-info';

const PER_MILLION = 1_000_000;

/**
 * The list-price cost of one call. Cached prompt tokens are billed at the cached price when the
 * model has one (they are part of prompt_tokens in the OpenAI usage shape). Null when the model
 * has no input price in the registry: an unknown cost is not a zero cost.
 */
export function costUsd(info: ModelInfo | undefined, usage: Usage | undefined): number | null {
  if (!info || !usage || info.inputPerMTok === undefined) return null;
  const cached = info.cachedInputPerMTok === undefined ? 0 : (usage.prompt_tokens_details?.cached_tokens ?? 0);
  const uncached = usage.prompt_tokens - cached;
  const cost =
    uncached * info.inputPerMTok +
    cached * (info.cachedInputPerMTok ?? 0) +
    usage.completion_tokens * (info.outputPerMTok ?? 0);
  // Rounded to a millionth of a cent: enough for sums over millions of jobs, free of float noise.
  return Math.round((cost / PER_MILLION) * 1e8) / 1e8;
}
