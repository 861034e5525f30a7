import { Global, Module, type Type } from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import { DirectCalls } from '@switchyard/jobs';
import { DirectCallRunner } from './direct-call-runner';
import { JobExecutionModule } from './job-execution.module';

/**
 * Lets an API process run interactive calls itself when their queue is idle (DirectCalls). Global,
 * so SubmitJob in the JobsModule finds it; an app without it queues every call.
 */
@Global()
@Module({ imports: [JobExecutionModule], providers: [DirectCallRunner, { provide: DirectCalls, useExisting: DirectCallRunner }], exports: [DirectCalls] })
export class DirectCallsModule {
  /** The module for an app's imports, unless `server.direct_calls` is 0. */
  static ifEnabled(config: SwitchyardConfig): Type[] {
    return config.server.directCalls > 0 ? [DirectCallsModule] : [];
  }
}
