import { BatchEvents } from './batch-events';
import { BatchInput } from './batch-input';
import { BatchKeys } from './batch-keys';
import { BatchLineChecker } from './batch-line-checker';
import { BatchLineRecorder } from './batch-line-recorder';
import { BatchQueue } from './batch-queue';
import { BatchStore } from './batch-store';
import { EndUnfinishedLines } from './end-unfinished-lines';
import { ExpandBatch } from './expand-batch';
import { FinalizeBatch } from './finalize-batch';
import { RunBatch } from './run-batch';
import { BatchResults } from './use-cases/batch-results';
import { CancelBatch } from './use-cases/cancel-batch';
import { CreateBatch } from './use-cases/create-batch';
import { DryRunBatch } from './use-cases/dry-run-batch';
import { GetBatch } from './use-cases/get-batch';
import { ValidateBatch } from './validate-batch';

/** Everything batches need, provided by JobsModule (JobNotifier reports line ends to BatchLineRecorder). */
export const BATCH_SERVICES = [
  BatchKeys,
  BatchStore,
  BatchQueue,
  BatchEvents,
  BatchInput,
  BatchLineChecker,
  BatchLineRecorder,
  ValidateBatch,
  ExpandBatch,
  FinalizeBatch,
  EndUnfinishedLines,
  RunBatch,
  CreateBatch,
  DryRunBatch,
  GetBatch,
  CancelBatch,
  BatchResults,
];
