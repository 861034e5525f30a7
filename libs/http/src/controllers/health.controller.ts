import { Controller, Get } from '@nestjs/common';
import { ServiceUnavailableError } from '@switchyard/contracts';
import { RedisConnections } from '@switchyard/redis';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { PublicRoute } from '../auth/api-key.guard';

@Controller()
@ApiTags('operations')
@PublicRoute()
export class HealthController {
  constructor(private readonly redis: RedisConnections) {}

  /** Liveness: the process answers. */
  @Get('healthz')
  @ApiOperation({ summary: 'Liveness (no key needed)' })
  @ApiOkResponse({ description: '{"status":"ok"}' })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: config was loaded (or the process would not be here) and Redis answers. */
  @Get('readyz')
  @ApiOperation({ summary: 'Readiness: Redis answers (no key needed)' })
  @ApiOkResponse({ description: '{"status":"ready"}' })
  @ApiServiceUnavailableResponse({ description: 'Redis is not reachable.' })
  async ready(): Promise<{ status: 'ready' }> {
    try {
      await this.redis.commands.ping();
    } catch {
      throw new ServiceUnavailableError('Redis is not reachable.');
    }
    return { status: 'ready' };
  }
}
