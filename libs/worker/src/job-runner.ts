import { Injectable, Logger } from '@nestjs/common';
import type { ErrorBody, JobAttempt, JobRequest, JobResult } from '@switchyard/contracts';
import { JobStore, type JobFinish, type ProviderJobData } from '@switchyard/jobs';
import { ModelRegistry, ProviderError, ProviderRegistry, costUsd, type ProviderAdapter, type ProviderCallContext } from '@switchyard/providers';

const CLIENT_SIDE_KINDS = new Set(['invalid_request', 'context_length_exceeded', 'content_filter']);

function errorBody(error: ProviderError): ErrorBody {
  return {
    message: error.message,
    type: CLIENT_SIDE_KINDS.has(error.kind) ? 'invalid_request_error' : 'server_error',
    code: error.kind,
    param: null,
  };
}

function asProviderError(error: unknown): ProviderError {
  if (error instanceof ProviderError) return error;
  return new ProviderError('unknown', error instanceof Error ? error.message : String(error), { cause: error });
}

function call(adapter: ProviderAdapter, request: JobRequest, ctx: ProviderCallContext): Promise<JobResult> {
  if (request.type === 'chat') {
    const { type: _type, ...chat } = request;
    return adapter.generate(chat, ctx);
  }
  if (!adapter.embed) throw new ProviderError('invalid_request', `${adapter.name} has no embeddings API`);
  const { type: _type, ...embedding } = request;
  return adapter.embed(embedding, ctx);
}

/** Runs one queued job on one target: mark active, call the provider, record the outcome. */
@Injectable()
export class JobRunner {
  private readonly logger = new Logger(JobRunner.name);

  constructor(
    private readonly store: JobStore,
    private readonly providers: ProviderRegistry,
    private readonly models: ModelRegistry,
  ) {}

  async run(data: ProviderJobData, signal: AbortSignal): Promise<void> {
    const { jobId, provider, model } = data;
    const started = await this.store.start(jobId, provider, model);
    if (started.kind !== 'started') {
      this.logger.debug(`skipping ${jobId}: ${started.kind === 'terminal' ? started.status : 'no record'}`);
      return;
    }
    const startedAt = Date.now();
    const warnings: string[] = [];
    const modelInfo = this.models.lookup(model);
    const attempt = (outcome: JobAttempt['outcome'], error: ErrorBody | null): JobAttempt => ({
      provider, model, outcome, started_at: startedAt, latency_ms: Date.now() - startedAt, error,
      ...(warnings.length > 0 && { warnings }),
    });
    let outcome: JobFinish;
    try {
      const ctx: ProviderCallContext = { model, signal, jobId, modelInfo, warn: (message) => warnings.push(message) };
      const result = await call(this.providers.get(provider), started.request, ctx);
      const usage = 'choices' in result ? result.usage : { ...result.usage, completion_tokens: 0 };
      outcome = { status: 'succeeded', attempt: attempt('succeeded', null), result, usage, costUsd: costUsd(modelInfo, usage) };
    } catch (thrown) {
      const error = asProviderError(thrown);
      // A canceled job's record was already made terminal by the cancel itself.
      if (error.kind === 'canceled' && signal.aborted) return;
      const body = errorBody(error);
      this.logger.warn({ jobId, provider, kind: error.kind, status: error.status }, `job failed on ${provider}`);
      outcome = { status: 'failed', attempt: attempt('failed', body), error: body };
    }
    // Outside the try: a Redis error here is not the provider's fault; it propagates so BullMQ retries the job.
    await this.store.finish(jobId, outcome);
  }
}
