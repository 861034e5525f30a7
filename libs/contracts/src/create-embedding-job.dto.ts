import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import type { EmbeddingRequest } from './embedding.types';
import { WithCallFields, WithJobFields } from './job-fields.dto';
import { Satisfies } from './satisfies.decorator';

export const EMBEDDING_LIMITS = { inputs: 2048, inputChars: 1_000_000 } as const;

function checkEmbeddingInput(value: unknown): string | null {
  const inputs = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(inputs)) return 'must be a string or an array of strings';
  if (inputs.length === 0) return 'must not be empty';
  if (inputs.length > EMBEDDING_LIMITS.inputs) return `must have at most ${EMBEDDING_LIMITS.inputs} items`;
  for (const [index, item] of inputs.entries()) {
    if (typeof item !== 'string') return `[${index}] must be a string`;
    if (item.length === 0) return `[${index}] must not be empty`;
    if (item.length > EMBEDDING_LIMITS.inputChars) return `[${index}] is longer than ${EMBEDDING_LIMITS.inputChars} characters`;
  }
  return null;
}

/** OpenAI's embeddings body, as `POST /v1/embeddings` takes it. */
export class EmbeddingBodyDto implements EmbeddingRequest {
  @IsString() @MinLength(1) @MaxLength(256)
  model: string;

  @Satisfies(checkEmbeddingInput)
  input: string | string[];

  @IsOptional() @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @IsOptional() @IsInt() @Min(1) @Max(65_536)
  dimensions?: number;

  @IsOptional() @IsString() @MaxLength(256)
  user?: string;
}

class EmbeddingRequestDto extends EmbeddingBodyDto {
  @IsIn(['embedding'])
  type: 'embedding';
}

/** `POST /v1/jobs` with `"type": "embedding"`: an OpenAI embeddings body plus the queue fields. */
export class CreateEmbeddingJobDto extends WithJobFields(EmbeddingRequestDto) {}

/** `POST /v1/embeddings`: waited for, so without queueing and delivery fields. */
export class EmbeddingCallDto extends WithCallFields(EmbeddingBodyDto) {}
