export { JobsModule } from './jobs.module';
export { JobStore, type JobFinish, type StartOutcome } from './job-store';
export { QueueGateway, type ProviderJobData } from './queue-gateway';
export { CancellationBus } from './cancellation-bus';
export { providerQueueName } from './redis-keys';
export { SubmitJob, type SubmitJobCommand } from './use-cases/submit-job';
export { GetJob, type GetJobQuery } from './use-cases/get-job';
export { CancelJob } from './use-cases/cancel-job';
