import { Injectable } from '@nestjs/common';
import { SwitchyardConfig, type ModelTarget } from '@switchyard/config';
import { ModelNotFoundError, type ModelObject } from '@switchyard/contracts';

export interface RoutePlan {
  model: string;
  /** Ordered: the first is tried first; later issues reorder by strategy and health. */
  targets: ModelTarget[];
}

/** Resolves a public model name to the targets that can serve it. */
@Injectable()
export class ModelRouter {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(private readonly config: SwitchyardConfig) {}

  plan(model: string): RoutePlan {
    const entry = this.config.models.get(model);
    if (!entry) throw new ModelNotFoundError(model);
    return { model, targets: [...entry.targets] };
  }

  listModels(): ModelObject[] {
    return [...this.config.models.values()].map((entry) => ({
      id: entry.name,
      object: 'model',
      created: this.created,
      owned_by: entry.ownedBy,
    }));
  }
}
