import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import { BATCH_ENDPOINTS, type BatchEndpoint } from './batch.types';
import { checkMetadata } from './chat-shape.checks';
import { WebhookDto, WebhookField } from './delivery.dto';
import { Satisfies } from './satisfies.decorator';

/** OpenAI's file expiration policy: seconds after the file's creation, from an hour to 30 days. */
export class ExpiresAfterDto {
  @IsIn(['created_at'])
  anchor: 'created_at';

  @IsInt() @Min(3600) @Max(2_592_000)
  seconds: number;
}

/** `POST /v1/batches`: OpenAI's body, plus Switchyard's inline requests, webhook and dry run. */
export class CreateBatchDto {
  /** A `purpose: batch` file of JSONL request lines; or give `requests`. */
  @IsOptional() @IsString() @MaxLength(64)
  input_file_id?: string;

  /** The request lines themselves, as objects; `method` and `url` may be left out. */
  @IsOptional() @IsArray() @ArrayMinSize(1) @IsObject({ each: true, message: 'requests must be an array of request objects' })
  requests?: Array<Record<string, unknown>>;

  @IsIn(BATCH_ENDPOINTS)
  endpoint: BatchEndpoint;

  /** Any duration: `24h`, `90m`, `7d`, `600s` (at most 30 days). */
  @IsString() @Matches(/^\d{1,7}[smhd]$/, { message: 'completion_window must be a duration such as 24h, 90m, 7d or 600s' })
  completion_window: string;

  @IsOptional() @Satisfies(checkMetadata)
  metadata?: Record<string, string>;

  /** Where `batch.progress` and the final `batch.*` event go (else the API key's default). */
  @WebhookField()
  webhook?: WebhookDto;

  @IsOptional() @IsBoolean()
  dry_run?: boolean;

  @IsOptional() @ValidateNested() @Type(() => ExpiresAfterDto)
  output_expires_after?: ExpiresAfterDto;
}
