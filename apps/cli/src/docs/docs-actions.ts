/** What `switchyard docs run` and `docs estimate` do, loaded only when one of them runs (docs-commands.ts). */
import { EXIT, type CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { GatewayClient } from '../gateway-client';
import { emit, note } from '../output';
import { loadCorpus, type CorpusOptions } from './docs-corpus';
import { estimateDocs, formatEstimate } from './docs-estimate';
import { progressView } from './docs-progress';
import { DocsRun, type DocsRunSummary } from './docs-run';
import { OutputFile } from './output-file';
import { loadPromptTemplate, REDUCE_PLACEHOLDERS } from './prompt-template';
import { RunState } from './run-state';

import type { CorpusFlags, RunFlags } from './docs-commands';

function corpusOptions(source: string, flags: CorpusFlags): CorpusOptions {
  return { source, model: flags.model, promptFile: flags.promptFile, chunkTokens: flags.chunkTokens, overlap: flags.overlap };
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

export async function runCommand(source: string, flags: RunFlags, context: CliContext): Promise<void> {
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

export async function estimateCommand(source: string, flags: CorpusFlags, context: CliContext): Promise<void> {
  const client = new GatewayClient(context);
  const plan = await loadCorpus(corpusOptions(source, flags));
  await checkModel(client, flags.model);
  const estimate = await estimateDocs(plan, flags.model, client, context.url);
  emit(context, { object: 'docs.estimate', ...estimate }, formatEstimate);
}

