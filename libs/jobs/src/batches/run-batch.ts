import { Injectable } from '@nestjs/common';
import { BatchEvents } from './batch-events';
import { BatchStore } from './batch-store';
import { EndUnfinishedLines } from './end-unfinished-lines';
import { ExpandBatch, type ExpandOutcome } from './expand-batch';
import { ValidateBatch } from './validate-batch';

/** The `process` step: validate the input if not done yet, then submit the lines. */
@Injectable()
export class RunBatch {
  constructor(
    private readonly store: BatchStore,
    private readonly validate: ValidateBatch,
    private readonly expand: ExpandBatch,
    private readonly endUnfinished: EndUnfinishedLines,
    private readonly events: BatchEvents,
  ) {}

  async execute(batchId: string): Promise<ExpandOutcome> {
    const batch = await this.store.find(batchId);
    if (!batch) return { kind: 'stopped' };
    if (batch.status === 'validating' || (batch.status === 'cancelling' && batch.total === null)) {
      const validation = await this.validate.execute(batch);
      if (validation.kind === 'failed') {
        await this.events.ended(batchId);
        return { kind: 'stopped' };
      }
    }
    const validated = await this.store.find(batchId);
    if (!validated) return { kind: 'stopped' };
    // Cancelled or expired while it was being validated: its lines end here, unrun.
    if (validated.cancellingAt !== null || validated.expiredAt !== null) {
      await this.endUnfinished.execute(validated);
      return { kind: 'stopped' };
    }
    if (validated.status !== 'in_progress') return { kind: 'stopped' };
    return this.expand.execute(validated);
  }
}
