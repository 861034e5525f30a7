import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { ChatMessage, ChatRequest, ChatRole, ContentPart, FunctionTool, ResponseFormat, ToolCall, ToolChoice } from './chat.types';
import { CHAT_LIMITS, checkJsonObject, checkMessageContent, checkResponseFormat, checkStop, checkToolChoice } from './chat-shape.checks';
import { Satisfies } from './satisfies.decorator';

const ROLES: ChatRole[] = ['system', 'developer', 'user', 'assistant', 'tool'];
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;

export class FunctionCallDto {
  @IsString() @Matches(FUNCTION_NAME, { message: 'name must be 1-64 letters, digits, underscores or dashes' })
  name: string;

  @IsString() @MaxLength(CHAT_LIMITS.contentChars)
  arguments: string;
}

export class ToolCallDto implements ToolCall {
  @IsString() @MinLength(1) @MaxLength(256)
  id: string;

  @IsIn(['function'])
  type: 'function';

  @ValidateNested() @Type(() => FunctionCallDto)
  function: FunctionCallDto;
}

export class ChatMessageDto implements ChatMessage {
  @IsIn(ROLES)
  role: ChatRole;

  // Only an assistant message that calls tools may leave content out.
  @ValidateIf((message: ChatMessageDto) => !(message.role === 'assistant' && message.tool_calls !== undefined) || message.content != null)
  @Satisfies((value) => (value === null || value === undefined ? 'is required' : checkMessageContent(value)))
  content: string | ContentPart[] | null;

  @IsOptional() @IsString() @MaxLength(256)
  name?: string;

  @IsOptional() @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CHAT_LIMITS.tools)
  @ValidateNested({ each: true }) @Type(() => ToolCallDto)
  tool_calls?: ToolCallDto[];

  @ValidateIf((message: ChatMessageDto) => message.role === 'tool' || message.tool_call_id !== undefined)
  @IsString() @MinLength(1) @MaxLength(256)
  tool_call_id?: string;
}

export class FunctionDefinitionDto {
  @IsString() @Matches(FUNCTION_NAME, { message: 'name must be 1-64 letters, digits, underscores or dashes' })
  name: string;

  @IsOptional() @IsString() @MaxLength(8192)
  description?: string;

  @IsOptional() @Satisfies(checkJsonObject)
  parameters?: Record<string, unknown>;

  @IsOptional() @IsBoolean()
  strict?: boolean;
}

export class ToolDto implements FunctionTool {
  @IsIn(['function'])
  type: 'function';

  @ValidateNested() @Type(() => FunctionDefinitionDto)
  function: FunctionDefinitionDto;
}

/** The body of an OpenAI chat-completions request, as far as the gateway accepts it. */
export class ChatRequestDto implements ChatRequest {
  @IsString() @MinLength(1) @MaxLength(256)
  model: string;

  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(CHAT_LIMITS.messages)
  @ValidateNested({ each: true }) @Type(() => ChatMessageDto)
  messages: ChatMessageDto[];

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(2)
  temperature?: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(1)
  top_p?: number;

  @IsOptional() @IsInt() @Min(1) @Max(1_000_000)
  max_tokens?: number;

  @IsOptional() @IsInt() @Min(1) @Max(1_000_000)
  max_completion_tokens?: number;

  @IsOptional() @IsInt() @Min(1) @Max(128)
  n?: number;

  @IsOptional() @Satisfies(checkStop)
  stop?: string | string[];

  @IsOptional() @IsInt() @Min(Number.MIN_SAFE_INTEGER) @Max(Number.MAX_SAFE_INTEGER)
  seed?: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-2) @Max(2)
  presence_penalty?: number;

  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(-2) @Max(2)
  frequency_penalty?: number;

  @IsOptional() @IsString() @MaxLength(256)
  user?: string;

  @IsOptional() @IsArray() @ArrayMaxSize(CHAT_LIMITS.tools)
  @ValidateNested({ each: true }) @Type(() => ToolDto)
  tools?: ToolDto[];

  @IsOptional() @Satisfies(checkToolChoice)
  tool_choice?: ToolChoice;

  @IsOptional() @IsBoolean()
  parallel_tool_calls?: boolean;

  @IsOptional() @Satisfies(checkResponseFormat)
  response_format?: ResponseFormat;
}
