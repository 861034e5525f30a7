import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, relative, sep } from 'node:path';
import { documentText } from './document-text';
import type { PromptTemplate } from './prompt-template';
import { chunkByTokens } from './token-chunks';

export interface PlanSettings {
  model: string;
  prompt: PromptTemplate;
  chunkTokens: number;
  overlap: number;
}

/** One call to make: a chunk's filled prompt, under an id that says what was asked of what. */
export interface ChunkTask {
  id: string;
  index: number;
  /** Tokens of the chunk's text alone (o200k_base). */
  tokens: number;
  prompt: string;
}

export interface PlannedDocument {
  /** The path relative to the folder (or working directory for a glob), `/`-separated. */
  name: string;
  filename: string;
  /** sha256 of the file's bytes. */
  contentHash: string;
  chunks: ChunkTask[];
  /** Why the file could not be read or parsed; it then has no chunks. */
  error?: string;
}

export interface DocsPlan {
  documents: PlannedDocument[];
}

const sha256 = (...parts: string[]): string => {
  const hash = createHash('sha256');
  // A separator no text part can fake, so ('ab','c') and ('a','bc') hash apart.
  for (const part of parts) hash.update(part).update('\u0000');
  return hash.digest('hex');
};

/**
 * A chunk's id: the same file bytes, chunk, prompt file and model give the same id on every run,
 * which is how a rerun recognizes the chunks it already has.
 */
export function chunkId(contentHash: string, index: number, chunkText: string, template: string, model: string): string {
  return sha256('chunk', contentHash, String(index), chunkText, template, model);
}

/** A document's reduce call: its chunks (by id, in order), the reduce prompt and the model. */
export function reduceId(document: PlannedDocument, template: string, model: string): string {
  return sha256('reduce', document.contentHash, template, model, ...document.chunks.map((chunk) => chunk.id));
}

async function planDocument(root: string, path: string, settings: PlanSettings): Promise<PlannedDocument> {
  const name = relative(root, path).split(sep).join('/');
  const filename = basename(path);
  const content = await readFile(path);
  const contentHash = createHash('sha256').update(content).digest('hex');
  let text: string;
  try {
    text = await documentText(path, content);
  } catch (error) {
    return { name, filename, contentHash, chunks: [], error: `cannot extract text: ${(error as Error).message}` };
  }
  const chunks = chunkByTokens(text, settings.chunkTokens, settings.overlap).map((chunk) => ({
    id: chunkId(contentHash, chunk.index, chunk.text, settings.prompt.text, settings.model),
    index: chunk.index,
    tokens: chunk.tokens,
    prompt: settings.prompt.fill({ document: name, filename, chunk: chunk.text, chunk_index: String(chunk.index) }),
  }));
  return { name, filename, contentHash, chunks };
}

/** Every document read, extracted, chunked and its prompts filled; nothing is sent. */
export async function planDocuments(root: string, paths: readonly string[], settings: PlanSettings): Promise<DocsPlan> {
  const documents: PlannedDocument[] = [];
  for (const path of paths) documents.push(await planDocument(root, path, settings));
  return { documents };
}
