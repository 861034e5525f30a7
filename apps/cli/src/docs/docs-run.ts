import type { JobObject } from '@switchyard/contracts';
import { EXIT } from '../cli-context';
import { CliError, type ExitCode } from '../cli-error';
import type { GatewayClient } from '../gateway-client';
import { DocsJobs, isTerminal, type DocsCall } from './docs-jobs';
import { reduceId, type ChunkTask, type DocsPlan, type PlannedDocument } from './docs-plan';
import type { ProgressCounts, ProgressView } from './docs-progress';
import { failedRow, rowFromJob, type RowPlace } from './docs-rows';
import type { OutputFile } from './output-file';
import type { OutputRow } from './output-row';
import type { PromptTemplate } from './prompt-template';
import type { RunState } from './run-state';

export interface DocsRunSettings {
  model: string;
  /** Jobs in flight at once. */
  concurrency: number;
  reduce?: PromptTemplate;
}

export interface DocsRunParts {
  client: GatewayClient;
  state: RunState;
  output: OutputFile;
  progress: ProgressView;
  /** Resolves when the user asks to stop (Ctrl-C): nothing new is submitted after it. */
  interrupted: Promise<void>;
}

export interface DocsRunSummary {
  documents: number;
  chunks: number;
  succeeded: number;
  failed: number;
  tokens: number;
  cost_usd: number;
  interrupted: boolean;
  exit: ExitCode;
}

type Task = { kind: 'chunk'; document: PlannedDocument; chunk: ChunkTask } | { kind: 'reduce'; document: PlannedDocument };

/** Failures that no other chunk would escape either: the run stops rather than fail every chunk. */
const FATAL: ReadonlySet<number> = new Set([EXIT.unavailable, EXIT.auth]);

const chunkPlace = (document: PlannedDocument, chunk: ChunkTask): RowPlace => ({ kind: 'chunk', source: document.name, chunk_index: chunk.index, chunk_id: chunk.id });
const errorPlace = (document: PlannedDocument): RowPlace => ({ kind: 'chunk', source: document.name, chunk_index: null, chunk_id: document.contentHash });

/**
 * `docs run`: every chunk not yet done becomes a job, `concurrency` at a time; each answer is
 * recorded in the state file and appended to the output as it arrives; a document whose chunks
 * are all done gets its reduce call. Ctrl-C stops submitting and returns what is recorded.
 */
export class DocsRun {
  private readonly jobs: DocsJobs;
  private readonly queue: Task[] = [];
  private readonly reduceIds = new Map<PlannedDocument, string>();
  /** Chunks of each document not yet ended in this run; its reduce waits for zero. */
  private readonly pending = new Map<PlannedDocument, number>();
  /** Jobs found already failed when this run reattached, and given their second chance. */
  private readonly retried = new Set<string>();
  private readonly counts: ProgressCounts = { total: 0, done: 0, failed: 0, inFlight: 0, tokens: 0, costUsd: 0 };
  private stopped = false;
  private fatal: CliError | undefined;

  constructor(
    private readonly plan: DocsPlan,
    private readonly settings: DocsRunSettings,
    private readonly parts: DocsRunParts,
  ) {
    this.jobs = new DocsJobs(parts.client, settings.model);
    if (settings.reduce) {
      for (const document of plan.documents) {
        if (document.chunks.length > 0) this.reduceIds.set(document, reduceId(document, settings.reduce.text, settings.model));
      }
    }
  }

  async execute(): Promise<DocsRunSummary> {
    const { state, output, progress } = this.parts;
    this.countKnown();
    output.begin(this.orderedRows());
    for (const document of this.plan.documents) {
      const left = document.chunks.filter((chunk) => !state.isDone(chunk.id));
      for (const chunk of left) this.queue.push({ kind: 'chunk', document, chunk });
      this.pending.set(document, left.length);
      this.queueReduceIfReady(document);
    }
    progress.update(this.counts);
    const interrupted = this.parts.interrupted.then(() => {
      this.stopped = true;
    });
    const workers = Array.from({ length: Math.max(1, this.settings.concurrency) }, () => this.work());
    await Promise.race([Promise.all(workers), interrupted]);
    this.stopped = true;
    output.rewrite(this.orderedRows());
    output.close();
    state.close();
    progress.stop(this.counts);
    if (this.fatal) throw this.fatal;
    const interruptedNow = this.counts.done + this.counts.failed < this.counts.total;
    return {
      documents: this.plan.documents.length,
      chunks: this.plan.documents.reduce((sum, document) => sum + document.chunks.length, 0),
      succeeded: this.counts.done,
      failed: this.counts.failed,
      tokens: this.counts.tokens,
      cost_usd: Math.round(this.counts.costUsd * 1e6) / 1e6,
      interrupted: interruptedNow,
      exit: interruptedNow ? EXIT.interrupted : this.counts.failed > 0 ? EXIT.partial : EXIT.ok,
    };
  }

  /** Totals and what earlier runs already finished. */
  private countKnown(): void {
    const { state } = this.parts;
    for (const document of this.plan.documents) {
      if (document.error !== undefined) {
        this.counts.total += 1;
        this.counts.failed += 1;
      }
      const ids = document.chunks.map((chunk) => chunk.id);
      const reduce = this.reduceIds.get(document);
      if (reduce !== undefined) ids.push(reduce);
      this.counts.total += ids.length;
      for (const id of ids) {
        const row = state.row(id);
        if (row?.status === 'succeeded') this.addDone(row);
      }
    }
  }

  private addDone(row: OutputRow): void {
    this.counts.done += 1;
    this.counts.tokens += row.usage?.total_tokens ?? 0;
    this.counts.costUsd += row.cost_usd ?? 0;
  }

  private async work(): Promise<void> {
    for (let task = this.queue.shift(); task !== undefined && !this.stopped; task = this.queue.shift()) {
      this.counts.inFlight += 1;
      this.parts.progress.update(this.counts);
      try {
        await this.runTask(task);
      } finally {
        this.counts.inFlight -= 1;
        this.parts.progress.update(this.counts);
      }
    }
  }

  private async runTask(task: Task): Promise<void> {
    const call = task.kind === 'chunk' ? this.chunkCall(task.document, task.chunk) : this.reduceCall(task.document);
    const place: RowPlace =
      task.kind === 'chunk' ? chunkPlace(task.document, task.chunk) : { kind: 'reduce', source: task.document.name, chunk_index: null, chunk_id: call.id };
    let row: OutputRow;
    try {
      const job = await this.settle(call);
      if (job === undefined) return;
      row = rowFromJob(place, job);
    } catch (error) {
      if (!(error instanceof CliError)) throw error;
      if (FATAL.has(error.exitCode)) {
        this.fatal ??= error;
        this.stopped = true;
        return;
      }
      row = failedRow(place, error.message, this.parts.state.jobOf(call.id) ?? null);
    }
    this.record(call.id, row);
    if (task.kind === 'chunk') {
      this.pending.set(task.document, (this.pending.get(task.document) ?? 1) - 1);
      this.queueReduceIfReady(task.document);
    }
  }

  /** The call's job, ended; undefined when the run stopped before it did. */
  private async settle(call: DocsCall): Promise<JobObject | undefined> {
    let job = await this.jobs.submit(call);
    this.parts.state.recordJob(call.id, job.id);
    // The gateway answered with a job that already ended without a result: an earlier run's failure.
    if (isTerminal(job) && job.status !== 'succeeded' && !this.retried.has(job.id)) {
      this.retried.add(job.id);
      job = await this.jobs.retry(job.id);
    }
    job = await this.jobs.settle(job, () => this.stopped);
    return isTerminal(job) ? job : undefined;
  }

  private record(id: string, row: OutputRow): void {
    this.parts.state.recordRow(id, row);
    this.parts.output.append(row);
    if (row.status === 'succeeded') this.addDone(row);
    else this.counts.failed += 1;
    this.parts.progress.update(this.counts);
  }

  /**
   * Queues the document's reduce once none of its chunks is left to run: at the front, so whole
   * documents finish early. With a failed chunk the reduce is recorded failed (a rerun retries both).
   */
  private queueReduceIfReady(document: PlannedDocument): void {
    const id = this.reduceIds.get(document);
    const { state } = this.parts;
    if (id === undefined || state.isDone(id) || (this.pending.get(document) ?? 0) > 0) return;
    const failed = document.chunks.filter((chunk) => !state.isDone(chunk.id)).length;
    if (failed === 0) this.queue.unshift({ kind: 'reduce', document });
    else this.record(id, failedRow({ kind: 'reduce', source: document.name, chunk_index: null, chunk_id: id }, `not combined: ${failed} of ${document.chunks.length} chunks failed`));
  }

  private chunkCall(document: PlannedDocument, chunk: ChunkTask): DocsCall {
    return { id: chunk.id, prompt: chunk.prompt, metadata: { docs_kind: 'chunk', docs_source: document.name.slice(-512), docs_chunk: String(chunk.index) } };
  }

  private reduceCall(document: PlannedDocument): DocsCall {
    const id = this.reduceIds.get(document) as string;
    const results = document.chunks.map((chunk) => this.parts.state.row(chunk.id)?.result ?? '').join('\n\n');
    const prompt = (this.settings.reduce as PromptTemplate).fill({ results, document: document.name, filename: document.filename });
    return { id, prompt, metadata: { docs_kind: 'reduce', docs_source: document.name.slice(-512) } };
  }

  /** Document order, chunk order, each document's reduce after its chunks; only this plan's ids. */
  private orderedRows(): OutputRow[] {
    const { state } = this.parts;
    return this.plan.documents.flatMap((document) => {
      if (document.error !== undefined) return [failedRow(errorPlace(document), document.error)];
      const ids = document.chunks.map((chunk) => chunk.id);
      const reduce = this.reduceIds.get(document);
      if (reduce !== undefined) ids.push(reduce);
      return ids.flatMap((id) => state.row(id) ?? []);
    });
  }
}
