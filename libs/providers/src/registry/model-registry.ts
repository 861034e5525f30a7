import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type ModelRegistryEntry } from '@switchyard/config';
import knownModels from './known-models.json';
import type { ModelInfo } from './model-info';

interface KnownModel {
  id: string;
  context_window?: number;
  max_output_tokens?: number;
  capabilities: string[];
  input_per_mtok?: number;
  output_per_mtok?: number;
  cached_input_per_mtok?: number;
}

function fromKnown(entry: KnownModel): ModelInfo {
  return {
    id: entry.id,
    contextWindow: entry.context_window,
    maxOutputTokens: entry.max_output_tokens,
    capabilities: entry.capabilities,
    inputPerMTok: entry.input_per_mtok,
    outputPerMTok: entry.output_per_mtok,
    cachedInputPerMTok: entry.cached_input_per_mtok,
  };
}

function withOverride(id: string, base: ModelInfo | undefined, override: ModelRegistryEntry): ModelInfo {
  const defined = Object.fromEntries(Object.entries(override).filter(([, value]) => value !== undefined));
  return { id, capabilities: [], ...base, ...defined };
}

/**
 * Upstream ids carry decorations the registry does not list: Bedrock's cross-region prefix
 * (`us.anthropic...`), Gemini's `models/` path.
 */
function canonical(model: string): string {
  return model.replace(/^models\//, '').replace(/^(us|eu|apac|global)\.(?=[a-z]+\.)/, '');
}

/** Model limits, capabilities and prices: the built-in data file, overridden by config `model_registry`. */
@Injectable()
export class ModelRegistry {
  private readonly models = new Map<string, ModelInfo>();
  /** Longest first, so `gpt-4o-mini-2024-07-18` matches `gpt-4o-mini`, not `gpt-4o`. */
  private readonly ids: string[];

  constructor(config: SwitchyardConfig) {
    for (const entry of knownModels.models as KnownModel[]) this.models.set(entry.id, fromKnown(entry));
    for (const [id, override] of config.modelRegistry) this.models.set(id, withOverride(id, this.models.get(id), override));
    this.ids = [...this.models.keys()].sort((a, b) => b.length - a.length);
  }

  /** Exact id, else the longest known id it starts with followed by a version separator. */
  lookup(model: string): ModelInfo | undefined {
    const id = canonical(model);
    const exact = this.models.get(id);
    if (exact) return exact;
    const prefix = this.ids.find((known) => id.startsWith(known) && /^[-:@]/.test(id.slice(known.length)));
    return prefix === undefined ? undefined : this.models.get(prefix);
  }
}
