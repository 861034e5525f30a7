import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { checkMetadata } from './chat-shape.checks';
import { CacheField, ExpiresAtField, IdempotencyKeyField, TimeoutField, WebhookDto, WebhookField } from './delivery.dto';
import { FallbackModels, RouteDto, RouteField } from './route.dto';
import { Satisfies } from './satisfies.decorator';

export const PRIORITY = { mostUrgent: 1, leastUrgent: 10, default: 5 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the TypeScript mixin pattern requires any[] constructor arguments
type Constructor = new (...args: any[]) => object;

/**
 * What every job body carries besides its request (chat or embedding): queue, routing and
 * delivery fields. A mixin, so both job DTOs get the same rules from one place.
 */
export function WithJobFields<TBase extends Constructor>(Base: TBase) {
  class JobFields extends Base {
    @IsOptional() @Satisfies(checkMetadata)
    metadata?: Record<string, string>;

    /** 1 is the most urgent; every job carries a priority so none starves behind a FIFO lane. */
    @IsOptional() @IsInt() @Min(PRIORITY.mostUrgent) @Max(PRIORITY.leastUrgent)
    priority?: number;

    @WebhookField()
    webhook?: WebhookDto;

    @CacheField()
    cache?: false | { ttl_s?: number };

    @TimeoutField()
    timeout_s?: number;

    @ExpiresAtField()
    expires_at?: number;

    @IdempotencyKeyField()
    idempotency_key?: string;

    @FallbackModels()
    models?: string[];

    @RouteField()
    route?: RouteDto;
  }
  return JobFields;
}
