import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { checkMetadata } from './chat-shape.checks';
import { CacheField, ExpiresAtField, IdempotencyKeyField, TimeoutField, WebhookDto, WebhookField } from './delivery.dto';
import { FallbackModels, RouteDto, RouteField } from './route.dto';
import { Satisfies } from './satisfies.decorator';

export const PRIORITY = { mostUrgent: 1, leastUrgent: 10, default: 5 } as const;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the TypeScript mixin pattern requires any[] constructor arguments
type Constructor = new (...args: any[]) => object;

/**
 * What every call carries besides its request (chat or embedding), whether it is waited for or
 * not: routing and deadline fields. A mixin, so each DTO gets the same rules from one place.
 */
export function WithCallFields<TBase extends Constructor>(Base: TBase) {
  class CallFields extends Base {
    @IsOptional() @Satisfies(checkMetadata)
    metadata?: Record<string, string>;

    @CacheField()
    cache?: false | { ttl_s?: number };

    @TimeoutField()
    timeout_s?: number;

    @ExpiresAtField()
    expires_at?: number;

    @FallbackModels()
    models?: string[];

    @RouteField()
    route?: RouteDto;
  }
  return CallFields;
}

/** A job body (`POST /v1/jobs`, batch lines): the call fields plus queueing and delivery. */
export function WithJobFields<TBase extends Constructor>(Base: TBase) {
  class JobFields extends WithCallFields(Base) {
    /** 1 is the most urgent; every job carries a priority so none starves behind a FIFO lane. */
    @IsOptional() @IsInt() @Min(PRIORITY.mostUrgent) @Max(PRIORITY.leastUrgent)
    priority?: number;

    @WebhookField()
    webhook?: WebhookDto;

    @IdempotencyKeyField()
    idempotency_key?: string;
  }
  return JobFields;
}
