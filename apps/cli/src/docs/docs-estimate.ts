import type { BatchDryRun } from '@switchyard/contracts';
import { toFile } from 'openai';
import { EXIT } from '../cli-context';
import { CliError } from '../cli-error';
import { fromSdkError, type GatewayClient } from '../gateway-client';
import type { DocsPlan } from './docs-plan';

/** What `docs estimate` prints: our own counts of the corpus, and the gateway's dry run of its prompts. */
export interface DocsEstimate {
  model: string;
  documents: number;
  /** Documents whose text could not be extracted (they would fail in a run). */
  unreadable: number;
  chunks: number;
  /** Tokens of the chunks' text alone, o200k_base. */
  chunk_tokens: number;
  /** Prompt tokens as the gateway counts them for the model's first target (template and message framing included). */
  input_tokens: number;
  /** USD from the gateway's registry prices: no output at the cheapest target, to the full output budget at the dearest. */
  cost_usd: { min: number; max: number } | null;
  /** Lines no target has a price for. */
  unpriced_chunks: number;
  /** Seconds to run every chunk, from provider limits, observed speed and queue depth. */
  eta_s: number | null;
}

/**
 * Prices and times a plan without running it: the chunk prompts go up as a batch input file and
 * through `POST /v1/batches` with `dry_run`, so the gateway's own registry, tokenizer, limits and
 * queues answer, and the CLI keeps no copy of any price. The file is deleted afterwards.
 */
export async function estimateDocs(plan: DocsPlan, model: string, client: GatewayClient, url: string): Promise<DocsEstimate> {
  const chunks = plan.documents.flatMap((document) => document.chunks);
  if (chunks.length === 0) throw new CliError(EXIT.usage, 'the documents hold no text to send');
  const lines = chunks.map((chunk) =>
    JSON.stringify({ custom_id: chunk.id, method: 'POST', url: '/v1/chat/completions', body: { model, messages: [{ role: 'user', content: chunk.prompt }] } }),
  );
  const sdk = client.openai();
  let fileId: string;
  try {
    fileId = (await sdk.files.create({ purpose: 'batch', file: await toFile(Buffer.from(`${lines.join('\n')}\n`), 'docs-estimate.jsonl') })).id;
  } catch (error) {
    throw fromSdkError(error, url);
  }
  try {
    const dryRun = await client.request<BatchDryRun>('POST', '/v1/batches', {
      input_file_id: fileId,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      dry_run: true,
    });
    const [problem] = dryRun.errors?.data ?? [];
    if (problem) throw new CliError(EXIT.usage, `the gateway would refuse these prompts: ${problem.message}`);
    return {
      model,
      documents: plan.documents.length,
      unreadable: plan.documents.filter((document) => document.error !== undefined).length,
      chunks: chunks.length,
      chunk_tokens: chunks.reduce((sum, chunk) => sum + chunk.tokens, 0),
      input_tokens: dryRun.input_tokens,
      cost_usd: dryRun.cost_usd,
      unpriced_chunks: dryRun.unpriced_lines,
      eta_s: dryRun.eta_s,
    };
  } finally {
    await sdk.files.delete(fileId).catch(() => undefined);
  }
}

/** The estimate as lines for a person. */
export function formatEstimate(estimate: DocsEstimate): string {
  const usd = (value: number): string => `$${value.toFixed(4)}`;
  const cost = estimate.cost_usd === null ? 'unknown (no registry price for this model)' : `${usd(estimate.cost_usd.min)} to ${usd(estimate.cost_usd.max)}`;
  return [
    `model          ${estimate.model}`,
    `documents      ${estimate.documents}${estimate.unreadable > 0 ? ` (${estimate.unreadable} unreadable)` : ''}`,
    `chunks         ${estimate.chunks}`,
    `chunk tokens   ${estimate.chunk_tokens}`,
    `input tokens   ${estimate.input_tokens}`,
    `cost           ${cost}${estimate.unpriced_chunks > 0 ? ` (${estimate.unpriced_chunks} chunks unpriced)` : ''}`,
    `eta            ${estimate.eta_s === null ? 'unknown' : `${estimate.eta_s}s`}`,
  ].join('\n');
}
