import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsInt, IsNumber, IsOptional, IsPositive, IsString, Matches, Max, Min, ValidateNested } from 'class-validator';
import { API_KEY_NAME, API_KEY_SCOPES } from '@switchyard/config';
import { WebhookDto } from '@switchyard/contracts';

export class KeyLimitsDto {
  @IsOptional() @IsInt() @Min(1)
  rpm?: number;

  @IsOptional() @IsInt() @Min(1)
  tokens_per_day?: number;

  @IsOptional() @IsInt() @Min(1)
  max_waiting?: number;
}

/** `POST /admin/keys`: the settings a config key has, minus the key and secret the gateway makes. */
export class CreateApiKeyDto {
  @IsString() @Matches(API_KEY_NAME, { message: 'name must be 1-64 letters, digits, _, . or -' })
  name!: string;

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(API_KEY_SCOPES.length) @IsIn(API_KEY_SCOPES, { each: true })
  scopes?: Array<(typeof API_KEY_SCOPES)[number]>;

  @IsOptional() @ValidateNested() @Type(() => KeyLimitsDto)
  limits?: KeyLimitsDto;

  /** Share of a busy provider against other keys (weighted fair queuing). */
  @IsOptional() @IsInt() @Min(1) @Max(1000)
  weight?: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @IsPositive()
  monthly_budget_usd?: number;

  /** Default destination of the key's job events; the generated secret signs them. */
  @IsOptional() @ValidateNested() @Type(() => WebhookDto)
  webhook?: WebhookDto;
}
