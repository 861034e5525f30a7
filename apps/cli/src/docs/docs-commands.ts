import { Command, InvalidArgumentError, Option } from 'commander';
import { EXIT, type CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { GatewayClient } from '../gateway-client';
import { parsePositiveInt } from '../option-parsers';
import { emit, note } from '../output';
import { loadCorpus, type CorpusOptions } from './docs-corpus';
import { estimateDocs, formatEstimate } from './docs-estimate';
import { progressView } from './docs-progress';
import { DocsRun, type DocsRunSummary } from './docs-run';
import { OutputFile, type OutputFormat } from './output-file';
import { loadPromptTemplate, REDUCE_PLACEHOLDERS } from './prompt-template';
import { RunState } from './run-state';

const DEFAULT_CHUNK_TOKENS = 2000;
const DEFAULT_OVERLAP = 200;
const DEFAULT_CONCURRENCY = 32;
const DEFAULT_PROGRESS_INTERVAL_S = 5;

interface CorpusFlags {
  model: string;
  promptFile: string;
  chunkTokens: number;
  overlap: number;
}

interface RunFlags extends CorpusFlags {
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

function corpusOptions(source: string, flags: CorpusFlags): CorpusOptions {
  return { source, model: flags.model, promptFile: flags.promptFile, chunkTokens: flags.chunkTokens, overlap: flags.overlap };
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

/** Fails early, before any file is read or chunk sent, when the gateway, the key or the model is wrong. */
async function checkModel(client: GatewayClient, model: string): Promise<void> {
  try {
    await client.request('GET', `/v1/models/${encodeURIComponent(model)}`);
  } catch (error) {
    if (error instanceof CliError && error.exitCode === EXIT.rejected) throw new CliError(EXIT.usage, `the gateway does not route --model ${model}: ${error.message}`);
    throw error;
  }
}

/** Resolves on the first Ctrl-C (or SIGTERM): the run stops submitting and saves what it has. */
function interruption(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      note('switchyard: stopping; results so far are saved, run the same command again to resume');
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function describeRun(summary: DocsRunSummary, out: string): string {
  const state = summary.interrupted ? 'interrupted' : summary.failed > 0 ? 'finished with failures' : 'finished';
  return (
    `${state}: ${summary.succeeded} succeeded, ${summary.failed} failed (${summary.documents} documents, ${summary.chunks} chunks), ` +
    `${summary.tokens} tokens, $${summary.cost_usd.toFixed(4)}; results in ${out}`
  );
}

async function runCommand(source: string, flags: RunFlags, context: CliContext): Promise<void> {
  const client = new GatewayClient(context);
  const reduce = flags.reducePromptFile === undefined ? undefined : await loadPromptTemplate(flags.reducePromptFile, REDUCE_PLACEHOLDERS, 'results');
  const plan = await loadCorpus(corpusOptions(source, flags));
  await checkModel(client, flags.model);
  const run = new DocsRun(
    plan,
    { model: flags.model, concurrency: flags.concurrency, reduce },
    {
      client,
      state: RunState.load(`${flags.out}.state`),
      output: new OutputFile(flags.out, flags.format),
      progress: progressView(process.stderr, flags.progressInterval),
      interrupted: interruption(),
    },
  );
  const summary = await run.execute();
  emit(context, { object: 'docs.run', ...summary, out: flags.out }, (value) => describeRun(value, flags.out));
  // Long-polls still open after a Ctrl-C would hold the process for their full wait: leave now.
  if (summary.interrupted) process.exit(summary.exit);
  process.exitCode = summary.exit;
}

async function estimateCommand(source: string, flags: CorpusFlags, context: CliContext): Promise<void> {
  const client = new GatewayClient(context);
  const plan = await loadCorpus(corpusOptions(source, flags));
  await checkModel(client, flags.model);
  const estimate = await estimateDocs(plan, flags.model, client, context.url);
  emit(context, { object: 'docs.estimate', ...estimate }, formatEstimate);
}

/** `switchyard docs run|estimate`: a folder of documents through one prompt, chunk by chunk. */
export function registerDocsCommands(program: Command, context: () => CliContext): void {
  const docs = program.command('docs').description('run a prompt over every chunk of a folder of documents (.txt .md .html .pdf .docx)');

  withCorpusFlags(docs.command('run').description('run the prompt over every chunk; rerun the same command to resume'))
    .requiredOption('-o, --out <file>', 'results, one line per chunk (the run state goes to <file>.state)')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'csv']).default('jsonl'))
    .option('-r, --reduce-prompt-file <file>', 'per document, combine its chunk results: {{results}} (required), {{document}}, {{filename}}')
    .option('--concurrency <n>', 'jobs in flight at once', parsePositiveInt, DEFAULT_CONCURRENCY)
    .option('--progress-interval <s>', 'seconds between progress lines when stderr is not a terminal', parsePositiveInt, DEFAULT_PROGRESS_INTERVAL_S)
    .action((source: string, flags: RunFlags) => runCommand(source, flags, context()));

  withCorpusFlags(docs.command('estimate').description('count documents, chunks and tokens, and price them, sending nothing to a provider')).action(
    (source: string, flags: CorpusFlags) => estimateCommand(source, flags, context()),
  );
}
