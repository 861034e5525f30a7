import { IsIn, IsInt, IsOptional, Max, Min } from 'class-validator';
import { ChatRequestDto } from './chat-request.dto';
import { checkMetadata } from './chat-shape.checks';
import { CacheField, ExpiresAtField, IdempotencyKeyField, TimeoutField, WebhookDto, WebhookField } from './delivery.dto';
import { FallbackModels, RouteDto, RouteField } from './route.dto';
import { Satisfies } from './satisfies.decorator';

export const PRIORITY = { mostUrgent: 1, leastUrgent: 10, default: 5 } as const;

/** `POST /v1/jobs`: a chat-completions body plus what the queue needs to know. */
export class CreateJobDto extends ChatRequestDto {
  /** `chat` (the default) or, with its own body shape, `embedding` (CreateEmbeddingJobDto). */
  @IsOptional() @IsIn(['chat'])
  type?: 'chat';

  @IsOptional() @Satisfies(checkMetadata)
  metadata?: Record<string, string>;

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

  /** 1 is the most urgent; every job carries a priority so none starves behind a FIFO lane. */
  @IsOptional() @IsInt() @Min(PRIORITY.mostUrgent) @Max(PRIORITY.leastUrgent)
  priority?: number;

  // Jobs are asynchronous by nature; accept the field so OpenAI-shaped bodies pass, but only as false.
  @IsOptional() @IsIn([false], { message: 'stream is not supported for jobs; poll GET /v1/jobs/{id} instead' })
  stream?: boolean;
}
