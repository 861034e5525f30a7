import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ListObject } from '@switchyard/contracts';
import { ApiKeyAdmin, CreateApiKeyDto, type ApiKeyView, type CreatedApiKey } from '@switchyard/tenants';
import { WebhookUrlGuard } from '@switchyard/webhooks';
import { RequireScope } from '../auth/api-key.guard';
import { ApiErrors, ApiJsonBody, ApiKeyAuth } from '../openapi/api-docs.decorators';

/** Run-time API keys: only keys with the `admin` scope; the key and its webhook secret are shown once, at creation. */
@Controller('admin/keys')
@RequireScope('admin')
@ApiTags('admin')
@ApiKeyAuth()
@ApiErrors(403)
export class AdminKeysController {
  constructor(
    private readonly admin: ApiKeyAdmin,
    private readonly webhookUrls: WebhookUrlGuard,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({ summary: 'Create an API key; the answer holds the key and its webhook secret, shown this once' })
  @ApiJsonBody(CreateApiKeyDto)
  @ApiCreatedResponse({ description: 'The key, with `key` and `webhook_secret` (null when the gateway has no `auth.secrets_key` to encrypt it with).' })
  @ApiErrors(400, 409)
  async create(@Body() dto: CreateApiKeyDto): Promise<CreatedApiKey> {
    if (dto.webhook) await this.webhookUrls.checkAtSubmit(dto.webhook.url);
    return this.admin.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'Every API key, from the config file and created at run time, without keys or secrets' })
  @ApiOkResponse({ description: 'A list of keys.' })
  async list(): Promise<ListObject<ApiKeyView>> {
    return { object: 'list', data: await this.admin.list() };
  }

  @Get(':name')
  @ApiOperation({ summary: 'One API key, without its key or secret' })
  @ApiOkResponse({ description: 'The key.' })
  @ApiErrors(404)
  show(@Param('name') name: string): Promise<ApiKeyView> {
    return this.admin.show(name);
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Revoke a run-time key: it stops working at once on every API process' })
  @ApiOkResponse({ description: 'The key, revoked.' })
  @ApiErrors(404, 409)
  revoke(@Param('name') name: string): Promise<ApiKeyView> {
    return this.admin.revoke(name);
  }
}
