import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { BatchDryRun, BatchEndpoint, BatchError, JobRequest } from '@switchyard/contracts';
import { ModelRegistry, costUsd, countChatTokens, requestTokenWeight } from '@switchyard/providers';
import { ProviderHealth, type RouteTarget } from '@switchyard/routing';
import { QueueGateway } from '../../queue-gateway';
import type { InputLine } from '../batch-input';
import { BatchLineChecker } from '../batch-line-checker';
import { MAX_REPORTED_ERRORS } from '../validate-batch';

/** The output a chat line is assumed to have when it sets no limit, as requestTokenWeight assumes. */
const DEFAULT_OUTPUT_TOKENS = 1024;
/** The latency assumed of a provider with none observed yet: a typical LLM call. */
const DEFAULT_LATENCY_MS = 1000;

interface ProviderShare {
  lines: number;
  /** The upstream model of the provider's first line, for its latency. */
  model: string;
}

function promptTokens(request: JobRequest, target: RouteTarget): number {
  return request.type === 'chat' ? countChatTokens(request, target.model).tokens : requestTokenWeight(request);
}

function outputBudget(request: JobRequest): number {
  return request.type === 'chat' ? (request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_OUTPUT_TOKENS) : 0;
}

/**
 * `"dry_run": true`: the batch's lines validated as the batch would validate them, with their
 * prompt tokens, a cost range from registry prices and a rough ETA. Nothing is created.
 */
@Injectable()
export class DryRunBatch {
  constructor(
    private readonly checker: BatchLineChecker,
    private readonly registry: ModelRegistry,
    private readonly health: ProviderHealth,
    private readonly queues: QueueGateway,
    private readonly config: SwitchyardConfig,
  ) {}

  async execute(batch: { owner: string; endpoint: BatchEndpoint }, lines: AsyncIterable<InputLine> | Iterable<InputLine>): Promise<BatchDryRun> {
    const errors: BatchError[] = [];
    const seen = new Set<string>();
    const shares = new Map<string, ProviderShare>();
    const maxLines = this.config.batches.maxLines;
    let count = 0;
    let inputTokens = 0;
    let unpriced = 0;
    const cost = { min: 0, max: 0, lines: 0 };
    for await (const line of lines) {
      if (line.index >= maxLines) {
        errors.push({ code: 'too_many_lines', message: `The batch has more than ${maxLines} request lines.`, param: null, line: line.number });
        break;
      }
      count += 1;
      const checked = this.checker.check(line, batch);
      if (!checked.ok || seen.has(checked.customId)) {
        if (errors.length < MAX_REPORTED_ERRORS) {
          errors.push(checked.ok ? { code: 'duplicate_custom_id', message: `Line ${line.number}: custom_id '${checked.customId}' is used twice.`, param: 'custom_id', line: line.number } : checked.error);
        }
        continue;
      }
      seen.add(checked.customId);
      const { request } = checked.command;
      const [first] = checked.plan.targets;
      const tokens = promptTokens(request, first);
      inputTokens += tokens;
      const share = shares.get(first.provider) ?? { lines: 0, model: first.model };
      share.lines += 1;
      shares.set(first.provider, share);
      const lineCost = this.costRange(checked.plan.targets, tokens, outputBudget(request));
      if (lineCost === null) unpriced += 1;
      else {
        cost.min += lineCost.min;
        cost.max += lineCost.max;
        cost.lines += 1;
      }
    }
    return {
      object: 'batch.dry_run',
      endpoint: batch.endpoint,
      lines: count,
      input_tokens: inputTokens,
      cost_usd: cost.lines > 0 ? { min: round(cost.min), max: round(cost.max) } : null,
      unpriced_lines: unpriced,
      eta_s: await this.etaS(shares),
      errors: errors.length > 0 ? { object: 'list', data: errors } : null,
    };
  }

  /** The line on its cheapest target with no output, and on its dearest with all of its output. */
  private costRange(targets: RouteTarget[], input: number, output: number): { min: number; max: number } | null {
    const priced = targets.flatMap((target) => {
      const info = this.registry.lookup(target.model);
      const least = costUsd(info, { prompt_tokens: input, completion_tokens: 0, total_tokens: input });
      const most = costUsd(info, { prompt_tokens: input, completion_tokens: output, total_tokens: input + output });
      return least === null || most === null ? [] : [{ least, most }];
    });
    if (priced.length === 0) return null;
    return { min: Math.min(...priced.map((p) => p.least)), max: Math.max(...priced.map((p) => p.most)) };
  }

  /**
   * The slowest provider's time to get through what already waits on its queue plus its share of
   * the lines, at the rate it was seen to answer, or else at what its limits and latency allow.
   */
  private async etaS(shares: ReadonlyMap<string, ProviderShare>): Promise<number | null> {
    if (shares.size === 0) return null;
    let eta = 0;
    for (const [name, share] of shares) {
      const provider = this.config.providers.get(name);
      if (!provider) continue;
      const latencyS = (this.health.latencyMs(name, share.model) ?? DEFAULT_LATENCY_MS) / 1000;
      let rate = this.health.throughputPerS(name);
      if (!(rate > 0)) rate = (provider.limits.concurrency ?? provider.concurrency) / Math.max(latencyS, 0.001);
      if (provider.limits.rpm !== undefined) rate = Math.min(rate, provider.limits.rpm / 60);
      const waiting = await this.queues.waiting(name).catch(() => 0);
      eta = Math.max(eta, (waiting + share.lines) / rate);
    }
    return Math.ceil(eta);
  }
}

const round = (usd: number): number => Math.round(usd * 1e6) / 1e6;
