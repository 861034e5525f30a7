import { Injectable } from '@nestjs/common';
import { GatewayError, type BatchEndpoint } from '@switchyard/contracts';
import { ModelRouter, type RoutePlan } from '@switchyard/routing';
import type { InputLine } from './batch-input';
import { parseBatchLine, type ParsedLine } from './batch-line';

export type CheckedLine = (ParsedLine & { ok: false }) | (ParsedLine & { ok: true; plan: RoutePlan });

/** A line as validation sees it: well formed, and routable (a known model some target can serve). */
@Injectable()
export class BatchLineChecker {
  constructor(private readonly router: ModelRouter) {}

  check(line: InputLine, batch: { endpoint: BatchEndpoint; owner: string }): CheckedLine {
    const parsed = parseBatchLine(line.text, line.number, batch.endpoint, batch.owner);
    if (!parsed.ok) return parsed;
    try {
      return { ...parsed, plan: this.router.plan({ request: parsed.command.request, ...parsed.command.route }) };
    } catch (error) {
      if (!(error instanceof GatewayError)) throw error;
      const param = error.param === null ? 'body' : `body.${error.param}`;
      return { ok: false, error: { code: error.code ?? 'invalid_request', message: `Line ${line.number}: ${error.message}`, param, line: line.number } };
    }
  }
}
