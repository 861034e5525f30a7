/** One line of `--out`: a chunk's answer, or with `--reduce-prompt-file` a document's combined answer. */
export interface OutputRow {
  kind: 'chunk' | 'reduce';
  /** The document, relative to the folder given (or the working directory, for a glob). */
  source: string;
  /** null on a reduce line. */
  chunk_index: number | null;
  chunk_id: string;
  status: 'succeeded' | 'failed';
  result: string | null;
  provider: string | null;
  /** The upstream model that answered. */
  model: string | null;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
  cost_usd: number | null;
  error: string | null;
  job_id: string | null;
}

/** The CSV columns, in order: the row flattened, usage spread into its three counts. */
export const CSV_COLUMNS = [
  'kind',
  'source',
  'chunk_index',
  'chunk_id',
  'status',
  'result',
  'provider',
  'model',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cost_usd',
  'error',
  'job_id',
] as const;

export function csvRecord(row: OutputRow): Array<string | number | null> {
  return [
    row.kind,
    row.source,
    row.chunk_index,
    row.chunk_id,
    row.status,
    row.result,
    row.provider,
    row.model,
    row.usage?.prompt_tokens ?? null,
    row.usage?.completion_tokens ?? null,
    row.usage?.total_tokens ?? null,
    row.cost_usd,
    row.error,
    row.job_id,
  ];
}
