import { Injectable } from '@nestjs/common';
import type { InteractiveCommand, StreamedJob } from './interactive-command';

/** Submits an interactive job that streams and relays its chunks (in progress). */
@Injectable()
export class StreamCompletion {
  execute(command: InteractiveCommand): Promise<StreamedJob> {
    return Promise.reject(new Error(`not implemented yet: ${command.owner}`));
  }
}
