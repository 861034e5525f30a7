import type { ProviderConfig } from '@switchyard/config';
import type { EmbeddingRequest } from '@switchyard/contracts';
import { z } from 'zod';
import { ALL_CHAT_FEATURES } from '../params/all-features';
import type { ChatFeature } from '../params/param-policy';
import { PRESET_NAMES, PRESETS, type CompatiblePreset, type PresetName } from './openai-compatible-presets';
import { parseFamilyOptions } from '../params/family-options';

const CHAT_FEATURE_NAMES = [...ALL_CHAT_FEATURES] as [ChatFeature, ...ChatFeature[]];

const optionsSchema = z.strictObject({
  /** The server's quirks, from the table in openai-compatible-presets.ts; none means plain OpenAI. */
  preset: z.enum(PRESET_NAMES).optional(),
  /** Replaces the preset's chat features, for a server (or model) that can do more or less. */
  features: z.array(z.enum(CHAT_FEATURE_NAMES)).optional(),
  /** OpenRouter: the calling app's URL, sent as HTTP-Referer. */
  http_referer: z.string().min(1).optional(),
  /** OpenRouter: the calling app's name, sent as X-Title. */
  app_title: z.string().min(1).optional(),
  /** Mistral: prepend Mistral's safety prompt to every conversation. */
  safe_prompt: z.boolean().optional(),
});

type CompatibleOptions = z.infer<typeof optionsSchema>;

/** Everything the adapter needs, settled at boot. */
export interface CompatibleSettings {
  /** For messages: "preset groq", or "no preset". */
  label: string;
  baseUrl: string;
  chatFeatures: ReadonlySet<ChatFeature>;
  rename: Readonly<Record<string, string>>;
  stripMessageNames: boolean;
  dataUrlImagesOnly: boolean;
  headers: Readonly<Record<string, string>>;
  body: Readonly<Record<string, unknown>>;
  /** Whether streamed calls ask for usage with `stream_options.include_usage`. */
  streamOptions: boolean;
  /** Fields the embeddings API lacks, or null when the server has no embeddings API. */
  embeddingsUnsupported: ReadonlyArray<keyof EmbeddingRequest> | null;
}

/** Without a preset the server is taken to be fully OpenAI-compatible. */
const PLAIN_OPENAI: CompatiblePreset = { chatFeatures: ALL_CHAT_FEATURES, embeddings: { unsupported: [] } };

function fail(where: string, message: string): never {
  throw new Error(`${where}: ${message}`);
}

function parseOptions(config: ProviderConfig): CompatibleOptions {
  return parseFamilyOptions(optionsSchema, config);
}

/** The set options a preset's table maps, under their target names. */
function mapped(options: CompatibleOptions, table: Readonly<Record<string, string>> | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, target] of Object.entries(table ?? {})) {
    const value = options[key as keyof CompatibleOptions];
    if (value !== undefined) out[target] = value;
  }
  return out;
}

/** Each option that feeds a header or body field belongs to one preset; set under another it would silently do nothing. */
const OPTION_OWNERS: Readonly<Record<string, PresetName>> = { http_referer: 'openrouter', app_title: 'openrouter', safe_prompt: 'mistral' };

export function resolveCompatibleSettings(config: ProviderConfig): CompatibleSettings {
  const options = parseOptions(config);
  const presetName = options.preset;
  const preset = presetName === undefined ? PLAIN_OPENAI : PRESETS[presetName];
  for (const [key, owner] of Object.entries(OPTION_OWNERS)) {
    if (options[key as keyof CompatibleOptions] !== undefined && presetName !== owner) {
      fail(`providers.${config.name}.options.${key}`, `only applies to preset ${owner}`);
    }
  }
  const baseUrl = config.baseUrl ?? preset.baseUrl;
  if (baseUrl === undefined) {
    fail(`providers.${config.name}.base_url`, presetName ? `is required for preset ${presetName} (it has no fixed endpoint)` : 'is required without a preset');
  }
  return {
    label: presetName ? `preset ${presetName}` : 'no preset',
    baseUrl,
    chatFeatures: options.features ? new Set(options.features) : preset.chatFeatures,
    rename: preset.rename ?? {},
    stripMessageNames: preset.stripMessageNames ?? false,
    dataUrlImagesOnly: preset.dataUrlImagesOnly ?? false,
    headers: mapped(options, preset.headersFromOptions) as Record<string, string>,
    body: mapped(options, preset.bodyFromOptions),
    streamOptions: !preset.noStreamOptions,
    embeddingsUnsupported: preset.embeddings?.unsupported ?? null,
  };
}
