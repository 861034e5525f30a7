import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { validateBody } from '@switchyard/contracts';

/** Validates every `@Body()` typed with a contracts DTO class; other parameters pass through. */
@Injectable()
export class ContractValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const dto = metadata.metatype;
    if (metadata.type !== 'body' || !dto || dto === Object) return value;
    return validateBody(dto as new () => object, value);
  }
}
