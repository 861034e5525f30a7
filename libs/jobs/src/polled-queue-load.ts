import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { QueueLoad } from '@switchyard/routing';
import { QueueGateway } from './queue-gateway';

const REFRESH_MS = 1000;

/** Queue depths for routing, refreshed in the background so no submit waits on Redis for them. */
@Injectable()
export class PolledQueueLoad extends QueueLoad implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PolledQueueLoad.name);
  private readonly depths = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly config: SwitchyardConfig,
    private readonly queues: QueueGateway,
  ) {
    super();
  }

  waiting(provider: string): number {
    return this.depths.get(provider) ?? 0;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  async refresh(): Promise<void> {
    await Promise.all(
      [...this.config.providers.keys()].map(async (provider) => {
        try {
          this.depths.set(provider, await this.queues.waiting(provider));
        } catch (error) {
          this.logger.debug(`queue depth of ${provider}: ${(error as Error).message}`);
        }
      }),
    );
  }
}
