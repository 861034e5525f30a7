import { Controller, Get } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { ListObject } from '@switchyard/contracts';
import { QueueGateway, type QueueCounts } from '@switchyard/jobs';
import { ProviderLimiters, type LimiterState } from '@switchyard/limits';
import { ProviderHealth, type ProviderHealthView } from '@switchyard/routing';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth } from '../openapi/api-docs.decorators';

export interface ProviderObject {
  id: string;
  object: 'provider';
  type: string;
  health: ProviderHealthView;
  queue: QueueCounts;
  limits: LimiterState;
}

/** `GET /v1/providers`: what routing sees of each provider, and its queue. Never its URL or key. */
@Controller('v1/providers')
@ApiTags('operations')
@ApiKeyAuth()
export class ProvidersController {
  constructor(
    private readonly config: SwitchyardConfig,
    private readonly health: ProviderHealth,
    private readonly queues: QueueGateway,
    private readonly limiters: ProviderLimiters,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Health, queue counts and limiter state of each provider' })
  @ApiOkResponse({ description: 'A list of provider objects; never a URL or credential.' })
  async list(): Promise<ListObject<ProviderObject>> {
    const data = await Promise.all(
      [...this.config.providers.values()].map(async (provider): Promise<ProviderObject> => {
        const [queue, limits] = await Promise.all([this.queues.counts(provider.name), this.limiters.state(provider.name)]);
        return { id: provider.name, object: 'provider', type: provider.type, health: this.health.snapshot(provider.name), queue, limits };
      }),
    );
    return { object: 'list', data };
  }
}
