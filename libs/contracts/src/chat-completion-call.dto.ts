import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, ValidateNested } from 'class-validator';
import { ChatRequestDto } from './chat-request.dto';
import { WithCallFields } from './job-fields.dto';

export class StreamOptionsDto {
  @IsOptional() @IsBoolean()
  include_usage?: boolean;
}

/** `POST /v1/chat/completions`: OpenAI's body, plus Switchyard's routing and deadline fields. */
export class ChatCompletionCallDto extends WithCallFields(ChatRequestDto) {
  @IsOptional() @IsBoolean()
  stream?: boolean;

  @IsOptional() @ValidateNested() @Type(() => StreamOptionsDto)
  stream_options?: StreamOptionsDto;
}
