import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type ModelConfig } from '@switchyard/config';
import { InvalidRequestError, ModelNotFoundError, NoRouteError, type JobRequest, type ModelObject, type RoutingStrategy } from '@switchyard/contracts';
import { ModelRegistry, requestTokenWeight } from '@switchyard/providers';
import { CapabilityFilter, type Unfit } from './capability-filter';
import { ProviderHealth } from './health/provider-health';
import { QueueLoad } from './queue-load';
import type { RoutePlan, RouteTarget } from './route-target';
import { orderTargets, type RoutingSignals } from './strategies/order-targets';
import { WeightedRotation } from './strategies/weighted-rotation';

export interface RouteRequest {
  /** `request.model` is the first public model asked for. */
  request: JobRequest;
  /** Public models the client names as its own fallbacks, tried after the first one's targets. */
  fallbackModels?: readonly string[];
  /** Orders all the gathered targets by this strategy instead of each model's own. */
  strategy?: RoutingStrategy;
}

/** A job with no throughput measured yet is assumed to drain this fast, so a long queue still ranks last. */
const MIN_THROUGHPUT_PER_S = 0.1;
const DEFAULT_OUTPUT_TOKENS = 1024;

/**
 * Turns a public model name (or alias, plus any fallbacks the request names) into the ordered
 * targets a job will try: the capability filter first, then each model's strategy, then providers
 * with an open circuit moved to the back.
 */
@Injectable()
export class ModelRouter {
  private readonly created = Math.floor(Date.now() / 1000);
  private readonly byName = new Map<string, ModelConfig>();
  private readonly rotation = new WeightedRotation();

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly filter: CapabilityFilter,
    private readonly health: ProviderHealth,
    private readonly load: QueueLoad,
    private readonly registry: ModelRegistry,
  ) {
    for (const model of config.models.values()) {
      this.byName.set(model.name, model);
      for (const alias of model.aliases) this.byName.set(alias, model);
    }
  }

  /** The configured model behind a public name or alias. */
  resolve(name: string, param = 'model'): ModelConfig {
    const model = this.byName.get(name);
    if (!model) throw new ModelNotFoundError(name, param);
    return model;
  }

  plan({ request, fallbackModels = [], strategy }: RouteRequest): RoutePlan {
    const models = [this.resolve(request.model), ...fallbackModels.map((name) => this.resolve(name, 'models'))];
    const signals = this.signals(request);
    const candidates = strategy
      ? orderTargets(strategy, unique(models.flatMap((model) => model.targets.map((t) => ({ ...t, via: model.name })))), signals)
      : unique(models.flatMap((model) => orderTargets(model.strategy, model.targets.map((t) => ({ ...t, via: model.name })), signals)));
    const unfit: Array<{ target: RouteTarget; why: Unfit }> = [];
    const fitting = candidates.filter((target) => {
      const why = this.filter.unfit(request, target);
      if (why) unfit.push({ target, why });
      return why === null;
    });
    if (fitting.length === 0) throw noRoute(request.model, unfit);
    // Open circuits go last rather than away: if every provider is down the job still waits its turn.
    const closed = fitting.filter((target) => this.health.circuit(target.provider) !== 'open');
    return { model: models[0].name, targets: [...closed, ...fitting.filter((target) => !closed.includes(target))] };
  }

  listModels(): ModelObject[] {
    return [...this.byName.entries()].map(([id, entry]) => ({ id, object: 'model', created: this.created, owned_by: entry.ownedBy }));
  }

  private signals(request: JobRequest): RoutingSignals {
    const outputTokens = request.type === 'chat' ? (request.max_completion_tokens ?? request.max_tokens ?? DEFAULT_OUTPUT_TOKENS) : 0;
    const promptTokens = requestTokenWeight(request) - outputTokens;
    return {
      latencyMs: (target) => this.health.latencyMs(target.provider, target.model),
      expectedWaitS: (target) => this.load.waiting(target.provider) / Math.max(this.health.throughputPerS(target.provider), MIN_THROUGHPUT_PER_S),
      costUsd: (target) => {
        const info = this.registry.lookup(target.model);
        if (info?.inputPerMTok === undefined) return undefined;
        return (info.inputPerMTok * promptTokens + (info.outputPerMTok ?? 0) * outputTokens) / 1e6;
      },
      weightedPick: (targets) => this.rotation.next(request.model, targets),
    };
  }
}

function unique(targets: RouteTarget[]): RouteTarget[] {
  const seen = new Set<string>();
  return targets.filter((target) => {
    const key = `${target.provider}\u0000${target.model}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** A prompt too long everywhere keeps OpenAI's own code, which clients already handle. */
function noRoute(model: string, unfit: Array<{ target: RouteTarget; why: Unfit }>): Error {
  const [first] = unfit;
  if (unfit.every(({ why }) => why.kind === 'context')) {
    return new InvalidRequestError(`${first.why.reason}.`, first.why.param, 'context_length_exceeded');
  }
  const reasons = unfit.map(({ target, why }) => `${target.provider}/${target.model}: ${why.reason}`).join('; ');
  return new NoRouteError(`No target of '${model}' can take this request (${reasons}).`, first.why.param);
}
