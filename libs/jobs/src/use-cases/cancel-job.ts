import { Injectable } from '@nestjs/common';
import { ConflictError, JobNotFoundError, type JobObject } from '@switchyard/contracts';
import { CancellationBus } from '../cancellation-bus';
import { isJobId } from '../job-id';
import { toJobObject } from '../job-record';
import { JobNotifier } from '../job-notifier';
import { JobStore } from '../job-store';
import { QueueGateway } from '../queue-gateway';

/** Marks a job canceled at once, then stops the work: out of the queue if waiting, aborted if running. */
@Injectable()
export class CancelJob {
  constructor(
    private readonly store: JobStore,
    private readonly queues: QueueGateway,
    private readonly bus: CancellationBus,
    private readonly notifier: JobNotifier,
  ) {}

  async execute(id: string, owner: string): Promise<JobObject> {
    if (!isJobId(id)) throw new JobNotFoundError(id);
    const outcome = await this.store.cancel(id, owner);
    if (outcome.kind === 'missing') throw new JobNotFoundError(id);
    if (outcome.kind === 'terminal') throw new ConflictError(`The job has already ended (${outcome.status}).`, 'job_already_finished');
    const record = await this.store.find(id);
    if (!record) throw new JobNotFoundError(id);
    const target = record.targets[record.targetIndex];
    if (target) await this.queues.remove(target.provider, id, record.hop);
    // Announced even for a queued job: a worker may have taken it between the two steps above.
    await this.bus.announce(id);
    await this.notifier.jobEnded(record);
    return toJobObject(record);
  }
}
