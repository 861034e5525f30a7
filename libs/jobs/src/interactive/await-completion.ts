import { Injectable } from '@nestjs/common';
import type { CompletedJob, InteractiveCommand } from './interactive-command';

/** Submits an interactive job and waits for its result (in progress). */
@Injectable()
export class AwaitCompletion {
  execute(command: InteractiveCommand): Promise<CompletedJob> {
    return Promise.reject(new Error(`not implemented yet: ${command.owner}`));
  }
}
