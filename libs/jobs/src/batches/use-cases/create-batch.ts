import { Injectable, Logger } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import {
  InvalidRequestError,
  ServiceUnavailableError,
  type BatchDryRun,
  type BatchEndpoint,
  type BatchObject,
  type CreateBatchDto,
} from '@switchyard/contracts';
import { FileStore, type FileRecord } from '@switchyard/files';
import { ApiKeys } from '@switchyard/tenants';
import { WebhookUrlGuard } from '@switchyard/webhooks';
import { newBatchId } from '../batch-id';
import { BatchInput, inlineLines } from '../batch-input';
import { BatchQueue } from '../batch-queue';
import { toBatchObject, type BatchRecord } from '../batch-record';
import { BatchStore } from '../batch-store';
import { completionWindowS } from '../completion-window';
import { DryRunBatch } from './dry-run-batch';

/**
 * `POST /v1/batches`: checks what can be checked at once (the input file is the key's own and
 * meant for batches, the window, the webhook), records the batch `validating` and queues it.
 * Inline `requests` become an input file first, so both kinds of batch take one path.
 */
@Injectable()
export class CreateBatch {
  private readonly logger = new Logger(CreateBatch.name);

  constructor(
    private readonly store: BatchStore,
    private readonly files: FileStore,
    private readonly input: BatchInput,
    private readonly queue: BatchQueue,
    private readonly dryRun: DryRunBatch,
    private readonly webhookUrls: WebhookUrlGuard,
    private readonly config: SwitchyardConfig,
    private readonly keys: ApiKeys,
  ) {}

  async execute(owner: string, dto: CreateBatchDto): Promise<BatchObject | BatchDryRun> {
    if ((dto.input_file_id === undefined) === (dto.requests === undefined)) {
      throw new InvalidRequestError('Give either input_file_id or requests (not both).', 'input_file_id', 'missing_required_parameter');
    }
    const windowS = completionWindowS(dto.completion_window);
    const maxLines = this.config.batches.maxLines;
    if (dto.requests && dto.requests.length > maxLines) throw new InvalidRequestError(`requests may hold at most ${maxLines} lines.`, 'requests', 'too_many_lines');
    const file = dto.input_file_id === undefined ? null : await this.inputFile(dto.input_file_id, owner);
    if (dto.webhook) await this.checkWebhook(owner, dto.webhook.url);
    if (dto.dry_run) {
      return this.dryRun.execute({ owner, endpoint: dto.endpoint }, file ? this.input.lines(file.id) : inlineLines(dto.requests ?? [], dto.endpoint));
    }
    const id = newBatchId();
    const createdAt = Date.now();
    const inputFileId = file?.id ?? (await this.writeRequests(owner, id, dto.requests ?? [], dto.endpoint));
    const record: BatchRecord = {
      id,
      owner,
      status: 'validating',
      endpoint: dto.endpoint,
      inputFileId,
      completionWindow: dto.completion_window,
      deadline: createdAt + windowS * 1000,
      createdAt,
      inProgressAt: null,
      finalizingAt: null,
      completedAt: null,
      failedAt: null,
      expiredAt: null,
      cancellingAt: null,
      cancelledAt: null,
      total: null,
      completed: 0,
      failed: 0,
      expanded: 0,
      outputFileId: null,
      errorFileId: null,
      errors: null,
      metadata: dto.metadata ?? null,
      webhook: dto.webhook ? { url: dto.webhook.url } : null,
      outputTtlS: Math.min(dto.output_expires_after?.seconds ?? this.config.files.ttlS, this.config.files.ttlS),
      usage: { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 },
    };
    // Record first, queue second: a worker must never pick up a batch with no record behind it.
    await this.store.create(record);
    try {
      await this.files.pin(inputFileId, id, windowS);
      await this.queue.expireAt(id, record.deadline);
      await this.queue.process(id);
    } catch (error) {
      this.logger.error(`could not queue batch ${id}: ${(error as Error).message}`);
      await this.store.remove(record).catch(() => undefined);
      throw new ServiceUnavailableError('The batch queue is unavailable; retry shortly.');
    }
    return toBatchObject(record);
  }

  private async inputFile(fileId: string, owner: string): Promise<FileRecord> {
    const file = await this.files.findOwned(fileId, owner, 'input_file_id');
    if (file.purpose !== 'batch') throw new InvalidRequestError(`The file ${fileId} was uploaded with purpose '${file.purpose}'; a batch reads files of purpose 'batch'.`, 'input_file_id', 'invalid_file_purpose');
    const maxLines = this.config.batches.maxLines;
    if (file.lines > maxLines) throw new InvalidRequestError(`The file has ${file.lines} request lines; a batch may have at most ${maxLines}.`, 'input_file_id', 'too_many_lines');
    return file;
  }

  private async writeRequests(owner: string, batchId: string, requests: ReadonlyArray<Record<string, unknown>>, endpoint: BatchEndpoint): Promise<string> {
    const writer = this.files.create(this.config.files.ttlS);
    for (const line of inlineLines(requests, endpoint)) await writer.write(`${line.text}\n`);
    const file = await writer.commit({ owner, purpose: 'batch', filename: `${batchId}_requests.jsonl`, ttlS: this.config.files.ttlS, lines: requests.length });
    return file.id;
  }

  private async checkWebhook(owner: string, url: string): Promise<void> {
    if (!(await this.keys.find(owner))?.webhook.secrets.length) {
      throw new InvalidRequestError('This API key has no webhook secret configured (auth.keys[].webhook.secret); deliveries are always signed.', 'webhook.url', 'webhook_secret_missing');
    }
    await this.webhookUrls.checkAtSubmit(url);
  }
}
