import { EXIT } from '../cli-context';
import { CliError } from '../cli-error';
import { DOCUMENT_EXTENSIONS, discoverDocuments } from './document-files';
import { planDocuments, type DocsPlan } from './docs-plan';
import { CHUNK_PLACEHOLDERS, loadPromptTemplate } from './prompt-template';

/** The flags `docs run` and `docs estimate` share. */
export interface CorpusOptions {
  source: string;
  model: string;
  promptFile: string;
  chunkTokens: number;
  overlap: number;
}

/** Reads the corpus the flags name into a plan; every problem with the flags or files is a usage error. */
export async function loadCorpus(options: CorpusOptions): Promise<DocsPlan> {
  if (!(options.chunkTokens >= 1)) throw new CliError(EXIT.usage, '--chunk-tokens must be a positive whole number');
  if (!(options.overlap >= 0 && options.overlap < options.chunkTokens)) {
    throw new CliError(EXIT.usage, `--overlap must be from 0 to less than --chunk-tokens (${options.chunkTokens})`);
  }
  const prompt = await loadPromptTemplate(options.promptFile, CHUNK_PLACEHOLDERS, 'chunk');
  const found = await discoverDocuments(options.source);
  if (found.kind === 'missing') throw new CliError(EXIT.usage, `no such folder or file: ${options.source}`);
  if (found.kind === 'empty') throw new CliError(EXIT.usage, `no documents (${DOCUMENT_EXTENSIONS.join(', ')}) match ${found.source}`);
  return planDocuments(found.root, found.paths, { model: options.model, prompt, chunkTokens: options.chunkTokens, overlap: options.overlap });
}
