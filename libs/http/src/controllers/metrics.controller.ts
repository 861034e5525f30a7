import type { IncomingHttpHeaders } from 'node:http';
import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiForbiddenResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SwitchyardConfig } from '@switchyard/config';
import { METRICS_CONTENT_TYPE, Metrics } from '@switchyard/telemetry';
import type { FastifyReply } from 'fastify';
import { AdminAccess } from '../admin/admin-access';
import { PublicRoute } from '../auth/api-key.guard';

/**
 * Prometheus scrapes usually come from inside the network, so the endpoint is open by default;
 * a gateway exposed to the world sets `metrics.require_key` and scrapes with an admin-scope key.
 * The guard cannot follow a config switch, hence the check here on a public route.
 */
@Controller()
@ApiTags('operations')
@PublicRoute()
export class MetricsController {
  private readonly requireKey: boolean;

  constructor(
    private readonly metrics: Metrics,
    private readonly access: AdminAccess,
    config: SwitchyardConfig,
  ) {
    this.requireKey = config.metrics.requireKey;
  }

  @Get('metrics')
  @ApiOperation({ summary: 'Prometheus metrics, text exposition format (no key needed unless metrics.require_key)' })
  @ApiProduces(METRICS_CONTENT_TYPE)
  @ApiOkResponse({ description: 'Every switchyard_* metric and the process metrics; see docs/operations.md.' })
  @ApiUnauthorizedResponse({ description: 'metrics.require_key is on and no valid key was sent.' })
  @ApiForbiddenResponse({ description: 'metrics.require_key is on and the key lacks the admin scope.' })
  async scrape(@Headers() headers: IncomingHttpHeaders, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (this.requireKey) await this.access.admit(headers);
    // Set here, not with @Header, which would also label a refusal's JSON as text.
    void reply.header('content-type', METRICS_CONTENT_TYPE);
    return this.metrics.render();
  }
}
