import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { CHAT_LIMITS, Satisfies } from '@switchyard/contracts';
import type { AnthropicAssistantBlockParam, AnthropicCacheControl, AnthropicTextParam, AnthropicToolChoiceParam, AnthropicUserBlockParam } from './anthropic.types';
import { checkCacheControl, checkMessageContent, checkSystem, checkToolChoice, TOOL_NAME } from './anthropic-shape.checks';

export class AnthropicMessageParamDto {
  @IsIn(['user', 'assistant'])
  role: 'user' | 'assistant';

  @Satisfies(checkMessageContent)
  content: string | AnthropicUserBlockParam[] | AnthropicAssistantBlockParam[];
}

export class AnthropicToolDto {
  /** Only client tools: Anthropic's server tools (web search, code execution) run at Anthropic. */
  @IsOptional() @IsIn(['custom'])
  type?: 'custom';

  @IsString() @Matches(TOOL_NAME, { message: 'name must be 1-64 letters, digits, underscores or dashes' })
  name: string;

  @IsOptional() @MaxLength(8192) @IsString()
  description?: string;

  @IsObject()
  input_schema: Record<string, unknown>;

  @IsOptional() @Satisfies(checkCacheControl)
  cache_control?: AnthropicCacheControl;
}

export class AnthropicMetadataDto {
  @IsOptional() @MaxLength(256) @IsString()
  user_id?: string | null;
}

/**
 * The body of an Anthropic Messages API request, as far as the gateway accepts it. Type checks
 * stand last in each list: class-validator runs decorators bottom-up and the first failure is the
 * one reported, so a wrong type is named as such, not as a length.
 */
export class AnthropicMessagesRequestDto {
  @MinLength(1) @MaxLength(256) @IsString()
  model: string;

  @Min(1) @Max(1_000_000) @IsInt()
  max_tokens: number;

  @ValidateNested({ each: true }) @Type(() => AnthropicMessageParamDto)
  @ArrayMinSize(1) @ArrayMaxSize(CHAT_LIMITS.messages) @IsArray()
  messages: AnthropicMessageParamDto[];

  @IsOptional() @Satisfies(checkSystem)
  system?: string | AnthropicTextParam[];

  // Anthropic's range, narrower than OpenAI's 0 to 2.
  @IsOptional() @Min(0) @Max(1) @IsNumber({ allowNaN: false, allowInfinity: false })
  temperature?: number;

  @IsOptional() @Min(0) @Max(1) @IsNumber({ allowNaN: false, allowInfinity: false })
  top_p?: number;

  /**
   * Accepted and dropped: the normalized request has no top_k, and a sampling hint is what the
   * providers' unsupported-param rules drop by default (they refuse only what changes the meaning).
   */
  @IsOptional() @Min(0) @Max(1_000_000) @IsInt()
  top_k?: number;

  @IsOptional() @MinLength(1, { each: true }) @MaxLength(CHAT_LIMITS.stopChars, { each: true }) @IsString({ each: true })
  @ArrayMaxSize(CHAT_LIMITS.stopSequences) @IsArray()
  stop_sequences?: string[];

  @IsOptional() @IsBoolean()
  stream?: boolean;

  @IsOptional() @ValidateNested({ each: true }) @Type(() => AnthropicToolDto)
  @ArrayMaxSize(CHAT_LIMITS.tools) @IsArray()
  tools?: AnthropicToolDto[];

  @IsOptional() @Satisfies(checkToolChoice)
  tool_choice?: AnthropicToolChoiceParam;

  @IsOptional() @ValidateNested() @Type(() => AnthropicMetadataDto)
  metadata?: AnthropicMetadataDto;
}
