import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CliContext } from '../cli-context';
import { parsePositiveInt } from '../option-parsers';
import type { OutputFormat } from './output-file';

const DEFAULT_CHUNK_TOKENS = 2000;
const DEFAULT_OVERLAP = 200;
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_PROGRESS_INTERVAL_S = 5;

export interface CorpusFlags {
  model: string;
  promptFile: string;
  chunkTokens: number;
  overlap: number;
}

export interface RunFlags extends CorpusFlags {
  out: string;
  format: OutputFormat;
  reducePromptFile?: string;
  concurrency: number;
  progressInterval: number;
}

function parseWholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number of 0 or more.');
  return Number(value);
}

/** The flags both commands read a corpus with. */
function withCorpusFlags(command: Command): Command {
  return command
    .argument('<source>', 'a folder (searched recursively), a glob in quotes, or one file')
    .requiredOption('-m, --model <model>', 'model or alias for every chunk')
    .requiredOption('-p, --prompt-file <file>', 'prompt template: {{chunk}} (required), {{document}}, {{filename}}, {{chunk_index}}')
    .option('--chunk-tokens <n>', 'tokens per chunk (o200k_base)', parsePositiveInt, DEFAULT_CHUNK_TOKENS)
    .option('--overlap <n>', 'tokens each chunk repeats from the one before', parseWholeNumber, DEFAULT_OVERLAP);
}

/**
 * The actions load on use: extraction, tokenizer and run engine weigh about 0.2 s of start-up that
 * every other command would pay.
 */
/** `switchyard docs run|estimate`: a folder of documents through one prompt, chunk by chunk. */
export function registerDocsCommands(program: Command, context: () => CliContext): void {
  const docs = program.command('docs').description('run a prompt over every chunk of a folder of documents (.txt .md .html .pdf .docx)');

  withCorpusFlags(docs.command('run').description('run the prompt over every chunk; rerun the same command to resume'))
    .requiredOption('-o, --out <file>', 'results, one line per chunk (the run state goes to <file>.state)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-r, --reduce-prompt-file <file>', 'per document, combine its chunk results: {{results}} (required), {{document}}, {{filename}}')
    .option('--concurrency <n>', 'jobs in flight at once', parsePositiveInt, DEFAULT_CONCURRENCY)
    .option('--progress-interval <s>', 'seconds between progress lines when stderr is not a terminal', parsePositiveInt, DEFAULT_PROGRESS_INTERVAL_S)
    .action(async (source: string, flags: RunFlags) => (await import('./docs-actions')).runCommand(source, flags, context()));

  withCorpusFlags(docs.command('estimate').description('count documents, chunks and tokens, and price them, sending nothing to a provider')).action(
    async (source: string, flags: CorpusFlags) => (await import('./docs-actions')).estimateCommand(source, flags, context()),
  );
}
