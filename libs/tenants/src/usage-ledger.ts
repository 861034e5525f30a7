import { Injectable } from '@nestjs/common';
import { RedisConnections } from '@switchyard/redis';
import { TenantKeys } from './tenant-keys';
import { utcDay, utcDays, utcMonth } from './usage-period';

export const USAGE_GROUPS = ['key', 'model', 'provider'] as const;
export type UsageGroup = (typeof USAGE_GROUPS)[number];

/** Day buckets outlive a year of monthly reports. */
export const USAGE_TTL_S = 400 * 86_400;
/** Costs are counted in integer units of 1e-8 USD, the precision job costs are rounded to, so sums are exact. */
const COST_UNITS_PER_USD = 1e8;

export interface UsageTotals {
  requests: number;
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: number;
}

export interface UsageRow extends UsageTotals {
  /** The key name, model or provider, after group_by. */
  group: string;
}

export interface UsageQuery {
  /** Only these keys; every key when undefined (admin). */
  owners?: readonly string[];
  fromMs: number;
  toMs: number;
  groupBy: UsageGroup;
}

interface Counts {
  requests: number;
  prompt: number;
  completion: number;
  cost: number;
}

/**
 * Reads the usage the job store's finishing script counts (FINISH_JOB): per UTC day and key, a
 * hash of `<provider> <model> <measure>` integers, and per month and key the cost so far.
 */
@Injectable()
export class UsageLedger {
  constructor(
    private readonly connections: RedisConnections,
    private readonly keys: TenantKeys,
  ) {}

  /** What FINISH_JOB needs to count a succeeded job finished at `now`. */
  finishArgs(now: number): string[] {
    const day = utcDay(now);
    return [this.keys.usageDayPrefix(day), this.keys.usageDayOwners(day), this.keys.spendMonthPrefix(utcMonth(now)), String(USAGE_TTL_S)];
  }

  /** The key's cost so far this UTC month: one GET. */
  async monthSpendUsd(owner: string, now = Date.now()): Promise<number> {
    const units = await this.connections.commands.get(`${this.keys.spendMonthPrefix(utcMonth(now))}${owner}`);
    return units === null ? 0 : Number(units) / COST_UNITS_PER_USD;
  }

  async report(query: UsageQuery): Promise<{ rows: UsageRow[]; total: UsageTotals }> {
    const redis = this.connections.commands;
    const buckets = await Promise.all(
      utcDays(query.fromMs, query.toMs).map(async (day) => {
        const owners = query.owners ?? (await redis.smembers(this.keys.usageDayOwners(day)));
        return Promise.all(owners.map(async (owner) => ({ owner, fields: await redis.hgetall(`${this.keys.usageDayPrefix(day)}${owner}`) })));
      }),
    );
    const groups = new Map<string, Counts>();
    const total: Counts = { requests: 0, prompt: 0, completion: 0, cost: 0 };
    for (const { owner, fields } of buckets.flat()) {
      for (const [field, value] of Object.entries(fields)) {
        const [provider, model, measure] = field.split(' ');
        if (!isMeasure(measure)) continue;
        const group = query.groupBy === 'key' ? owner : query.groupBy === 'model' ? model : provider;
        let counts = groups.get(group);
        if (!counts) groups.set(group, (counts = { requests: 0, prompt: 0, completion: 0, cost: 0 }));
        counts[measure] += Number(value);
        total[measure] += Number(value);
      }
    }
    const rows = [...groups].map(([group, counts]) => ({ group, ...totals(counts) })).sort((a, b) => b.cost_usd - a.cost_usd || a.group.localeCompare(b.group));
    return { rows, total: totals(total) };
  }
}

function isMeasure(measure: string | undefined): measure is keyof Counts {
  return measure === 'requests' || measure === 'prompt' || measure === 'completion' || measure === 'cost';
}

function totals(counts: Counts): UsageTotals {
  return {
    requests: counts.requests,
    prompt_tokens: counts.prompt,
    completion_tokens: counts.completion,
    total_tokens: counts.prompt + counts.completion,
    cost_usd: counts.cost / COST_UNITS_PER_USD,
  };
}
