import { Controller, Get } from '@nestjs/common';
import { ServiceUnavailableError } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { PublicRoute } from '../auth/api-key.guard';

@Controller()
@PublicRoute()
export class HealthController {
  constructor(private readonly redis: RedisConnections) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: config was loaded (or the process would not be here) and Redis answers. */
  @Get('readyz')
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.redis.commands.ping();
    } catch {
      throw new ServiceUnavailableError('Redis is not reachable.');
    }
    return { status: 'ready' };
  }
}
