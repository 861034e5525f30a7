import { IsIn, IsOptional } from 'class-validator';
import { ChatRequestDto } from './chat-request.dto';
import { WithJobFields } from './job-fields.dto';

export { PRIORITY } from './job-fields.dto';

/** `POST /v1/jobs`: a chat-completions body plus what the queue needs to know. */
export class CreateJobDto extends WithJobFields(ChatRequestDto) {
  /** `chat` (the default) or, with its own body shape, `embedding` (CreateEmbeddingJobDto). */
  @IsOptional() @IsIn(['chat'])
  type?: 'chat';

  // Jobs are asynchronous by nature; accept the field so OpenAI-shaped bodies pass, but only as false.
  @IsOptional() @IsIn([false], { message: 'stream is not supported for jobs; poll GET /v1/jobs/{id} instead' })
  stream?: boolean;
}
