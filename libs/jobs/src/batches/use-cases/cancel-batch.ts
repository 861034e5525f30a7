import { Injectable } from '@nestjs/common';
import { ConflictError, JobNotFoundError, NotFoundError, type BatchObject } from '@switchyard/contracts';
import { CancelJob } from '../../use-cases/cancel-job';
import { batchNotFound, lineJobId } from '../batch-id';
import { BatchLineRecorder } from '../batch-line-recorder';
import { BatchQueue } from '../batch-queue';
import { toBatchObject } from '../batch-record';
import { BatchStore } from '../batch-store';
import { GetBatch } from './get-batch';

/** `POST /v1/batches/:id/cancel` and, one line at a time, `.../requests/:custom_id/cancel`. */
@Injectable()
export class CancelBatch {
  constructor(
    private readonly store: BatchStore,
    private readonly queue: BatchQueue,
    private readonly batches: GetBatch,
    private readonly cancelJob: CancelJob,
    private readonly recorder: BatchLineRecorder,
  ) {}

  /**
   * The batch goes to `cancelling` at once; a worker then ends its unfinished lines and it becomes
   * `cancelled` with the lines that did finish in its output file. Cancelling again is harmless.
   */
  async execute(id: string, owner: string): Promise<BatchObject> {
    const outcome = await this.store.cancel(id, owner);
    if (outcome.kind === 'missing') throw batchNotFound(id);
    if (outcome.kind === 'cancelling') await this.queue.cancel(id);
    else if (outcome.status !== 'cancelling' && outcome.status !== 'cancelled') {
      throw new ConflictError(`The batch has already ended (${outcome.status}); only a validating or running batch can be cancelled.`, 'batch_not_cancellable');
    }
    return this.batches.execute(id, owner);
  }

  /** One line: its job is canceled; a line not submitted yet is recorded as cancelled and never runs. */
  async line(id: string, customId: string, owner: string): Promise<BatchObject> {
    const batch = await this.batches.findOwned(id, owner);
    if (batch.status !== 'in_progress') throw new ConflictError(`Only the lines of a running batch can be cancelled; this one is ${batch.status}.`, 'batch_not_running');
    const line = await this.store.lineOf(id, customId);
    if (line === null) throw new NotFoundError(`No request with custom_id '${customId}' in batch ${id}.`, 'request_not_found', 'custom_id');
    try {
      await this.cancelJob.execute(lineJobId(id, line), owner);
    } catch (error) {
      if (!(error instanceof JobNotFoundError)) throw error;
      await this.recorder.lineUnrun(batch, line, customId, 'request_cancelled');
    }
    return toBatchObject((await this.store.find(id)) ?? batch);
  }
}
