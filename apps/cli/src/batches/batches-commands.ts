import { finished } from 'node:stream/promises';
import { Option, type Command } from 'commander';
import { BATCH_ENDPOINTS, type BatchObject, type CursorPage } from '@switchyard/contracts';
import type { CliContext } from '../cli-context';
import { GatewayClient } from '../gateway-client';
import { collectKeyValue, parsePositiveInt } from '../option-parsers';
import { emit, note } from '../output';
import { openOutputFile } from '../input-file';
import { batchExitCode, resultsExitCode } from './batch-outcome';
import { describeBatch, describeBatchLine } from './batch-view';

interface CreateOptions {
  endpoint: string;
  window: string;
  metadata?: Record<string, string>;
}

function batchPath(id: string): string {
  return `/v1/batches/${encodeURIComponent(id)}`;
}

/** `switchyard batches create|get|list|cancel|results`: OpenAI's Batch API on the gateway. */
export function registerBatchesCommands(program: Command, context: () => CliContext): void {
  const batches = program.command('batches').description('run a JSONL file of requests as a batch (OpenAI Batch API)');

  const show = (batch: BatchObject): void => {
    emit(context(), batch, describeBatch);
    process.exitCode = batchExitCode(batch);
  };

  batches
    .command('create')
    .description('upload a JSONL file of requests and start a batch on it')
    .argument('<file>', 'JSONL, one request per line: {"custom_id", "method", "url", "body"}')
    .addOption(new Option('-e, --endpoint <path>', 'the endpoint of every line').choices(BATCH_ENDPOINTS).default('/v1/chat/completions'))
    .option('-w, --window <duration>', 'completion window: 24h, 90m, 7d, 600s', '24h')
    .option('--metadata <key=value>', 'a metadata pair; repeat for more', collectKeyValue)
    .action(async (file: string, options: CreateOptions) => {
      const client = new GatewayClient(context());
      const upload = await client.upload(file, 'batch');
      show(
        await client.request<BatchObject>('POST', '/v1/batches', {
          input_file_id: upload.id,
          endpoint: options.endpoint,
          completion_window: options.window,
          ...(options.metadata && { metadata: options.metadata }),
        }),
      );
    });

  batches
    .command('get')
    .description('print a batch with its counts')
    .argument('<id>', 'batch id')
    .action(async (id: string) => show(await new GatewayClient(context()).request<BatchObject>('GET', batchPath(id))));

  batches
    .command('list')
    .description("the key's batches, newest first")
    .option('--limit <n>', 'at most this many', parsePositiveInt)
    .option('--after <id>', 'the page after this batch id')
    .action(async (options: { limit?: number; after?: string }) => {
      const query = new URLSearchParams();
      if (options.limit !== undefined) query.set('limit', String(options.limit));
      if (options.after !== undefined) query.set('after', options.after);
      const page = await new GatewayClient(context()).request<CursorPage<BatchObject>>('GET', `/v1/batches${query.size > 0 ? `?${query}` : ''}`);
      emit(context(), page, (value) => (value.data.length === 0 ? 'no batches' : value.data.map(describeBatchLine).join('\n')));
    });

  batches
    .command('cancel')
    .description('cancel a batch: lines not yet finished end cancelled')
    .argument('<id>', 'batch id')
    .action(async (id: string) => emit(context(), await new GatewayClient(context()).request<BatchObject>('POST', `${batchPath(id)}/cancel`), describeBatch));

  batches
    .command('results')
    .description('the output and error lines (JSONL) finished so far, to stdout or --out')
    .argument('<id>', 'batch id')
    .option('-o, --out <file>', 'write the lines to this file')
    .action(async (id: string, options: { out?: string }) => {
      const client = new GatewayClient(context());
      const batch = await client.request<BatchObject>('GET', batchPath(id));
      if (options.out === undefined) {
        await client.download(`${batchPath(id)}/results`, process.stdout);
      } else {
        const file = await openOutputFile(options.out);
        await client.download(`${batchPath(id)}/results`, file);
        file.end();
        await finished(file);
        const { completed, failed, total } = batch.request_counts;
        note(`batch ${batch.id} (${batch.status}): ${completed} succeeded and ${failed} failed of ${total} lines, written to ${options.out}`);
      }
      process.exitCode = resultsExitCode(batch);
    });
}
