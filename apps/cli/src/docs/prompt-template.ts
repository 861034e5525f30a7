import { EXIT } from '../cli-context';
import { CliError } from '../cli-error';
import { readInputFile } from '../input-file';

const PLACEHOLDER = /\{\{\s*([a-z_]+)\s*\}\}/g;

export const CHUNK_PLACEHOLDERS = ['document', 'chunk', 'filename', 'chunk_index'] as const;
export const REDUCE_PLACEHOLDERS = ['results', 'document', 'filename'] as const;

/** A prompt file's text and how to fill its placeholders. */
export interface PromptTemplate {
  /** The file's text, as read: part of each chunk id, so editing the prompt makes new chunks. */
  text: string;
  fill(values: Readonly<Record<string, string>>): string;
}

/**
 * Reads a template and checks it: known placeholders only, and the one it cannot do without
 * (`{{chunk}}` for a chunk prompt, `{{results}}` for a reduce prompt). A bad file is a usage error.
 */
export async function loadPromptTemplate(path: string, allowed: readonly string[], required: string): Promise<PromptTemplate> {
  const text = await readInputFile(path);
  const used = new Set([...text.matchAll(PLACEHOLDER)].map((match) => match[1] as string));
  const unknown = [...used].filter((name) => !allowed.includes(name));
  const list = (names: readonly string[]): string => names.map((name) => `{{${name}}}`).join(', ');
  if (unknown.length > 0) throw new CliError(EXIT.usage, `the prompt file ${path} has unknown placeholders ${list(unknown)}; known: ${list(allowed)}`);
  if (!used.has(required)) throw new CliError(EXIT.usage, `the prompt file ${path} must contain {{${required}}}`);
  return {
    text,
    // One pass over the template: a value that itself contains `{{chunk}}` is not expanded again.
    fill: (values) => text.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole),
  };
}
