import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { InvalidRequestError } from '@switchyard/contracts';
import { monthStartMs, USAGE_GROUPS, UsageLedger, type UsageGroup, type UsageTotals } from '@switchyard/tenants';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { ApiErrors, ApiKeyAuth } from '../openapi/api-docs.decorators';

/** Day buckets are kept 400 days; a longer range could only add empty days. */
const MAX_RANGE_DAYS = 400;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export interface UsageReportObject {
  object: 'usage';
  /** Unix seconds, `to` exclusive; usage is counted per UTC day, so a day the range touches counts whole. */
  from: number;
  to: number;
  group_by: UsageGroup;
  data: Array<Record<string, string | number>>;
  total: UsageTotals;
}

/** ISO 8601 or Unix seconds. */
function parseTime(value: string | undefined, param: string, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : ISO_8601.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidRequestError(`${param} must be an ISO 8601 date (2025-01-31, 2025-01-31T12:00:00Z) or Unix seconds.`, param, 'invalid_date');
  return ms;
}

@Controller('v1/usage')
@ApiTags('usage')
@ApiKeyAuth()
export class UsageController {
  constructor(private readonly ledger: UsageLedger) {}

  /** Succeeded jobs (cached answers too, at no cost), counted when they finish. */
  @Get()
  @ApiOperation({ summary: "Requests, tokens and cost: the key's own, or every key's for an admin key" })
  @ApiQuery({ name: 'from', required: false, description: 'ISO 8601 or Unix seconds; default the start of this month (UTC).' })
  @ApiQuery({ name: 'to', required: false, description: 'ISO 8601 or Unix seconds, exclusive; default now.' })
  @ApiQuery({ name: 'group_by', required: false, enum: USAGE_GROUPS })
  @ApiOkResponse({ description: 'Usage per key, model or provider, and the total.' })
  @ApiErrors(400)
  async usage(
    @CurrentPrincipal() principal: Principal,
    @Query('from') from: string | undefined,
    @Query('to') to: string | undefined,
    @Query('group_by') groupBy: string | undefined,
  ): Promise<UsageReportObject> {
    const now = Date.now();
    const fromMs = parseTime(from, 'from', monthStartMs(now));
    const toMs = parseTime(to, 'to', now);
    if (toMs <= fromMs) throw new InvalidRequestError('to must be later than from.', 'to', 'invalid_date');
    if (toMs - fromMs > MAX_RANGE_DAYS * 86_400_000) throw new InvalidRequestError(`The range may span at most ${MAX_RANGE_DAYS} days.`, 'from', 'invalid_date');
    const group = groupBy ?? 'key';
    if (!isGroup(group)) throw new InvalidRequestError(`group_by must be one of ${USAGE_GROUPS.join(', ')}.`, 'group_by', 'invalid_group_by');
    const owners = principal.scopes.includes('admin') ? undefined : [principal.name];
    const { rows, total } = await this.ledger.report({ owners, fromMs, toMs, groupBy: group });
    return {
      object: 'usage',
      from: Math.floor(fromMs / 1000),
      to: Math.ceil(toMs / 1000),
      group_by: group,
      data: rows.map(({ group: name, ...totals }) => ({ [group]: name, ...totals })),
      total,
    };
  }
}

function isGroup(value: string): value is UsageGroup {
  return (USAGE_GROUPS as readonly string[]).includes(value);
}
