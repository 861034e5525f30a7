import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { BullBoardModule } from '@bull-board/nestjs';
import { Module, type DynamicModule } from '@nestjs/common';
import type { SwitchyardConfig } from '@switchyard/config';
import { BATCHES_QUEUE, DEADLINES_QUEUE, providerQueueName } from '@switchyard/jobs';
import { WEBHOOK_QUEUE } from '@switchyard/webhooks';
import { HttpApiModule } from '../http-api.module';
import { AdminAccess } from './admin-access';
import { guardedBoardAdapter } from './guarded-board-adapter';

export const ADMIN_BOARD_ROUTE = '/admin/queues';

/**
 * Every queue is read-only on the board: each entry stands for a job record, a deadline, a
 * delivery or a batch step that the gateway tracks, and removing, adding, editing or retrying one
 * by hand bypasses the code that keeps those in step (docs/operations.md, "Bull Board").
 */
const READ_ONLY = { readOnlyMode: true, allowRetries: false };

/** Bull Board at /admin/queues, for keys with the admin scope. Needs JobsModule and HttpApiModule. */
@Module({})
export class AdminBoardModule {
  static forRoot(config: SwitchyardConfig): DynamicModule {
    const providerQueues = [...config.providers.keys()].map((provider) => ({
      name: providerQueueName(provider),
      description: `Calls to provider "${provider}": one entry per job hop.`,
    }));
    const queues = [
      ...providerQueues,
      { name: WEBHOOK_QUEUE, description: 'Webhook deliveries, retried on the configured schedule.' },
      { name: BATCHES_QUEUE, description: 'Batch steps: process, finalize, expire, cancel.' },
      { name: DEADLINES_QUEUE, description: 'Job deadlines, as delayed entries that end a job expired.' },
    ];
    return {
      module: AdminBoardModule,
      imports: [
        BullBoardModule.forRootAsync({
          imports: [HttpApiModule],
          inject: [AdminAccess],
          useFactory: (access: AdminAccess) => ({
            route: ADMIN_BOARD_ROUTE,
            adapter: guardedBoardAdapter(access),
            boardOptions: { uiConfig: { boardTitle: 'Switchyard queues', hideDocsLink: true } },
          }),
        }),
        BullBoardModule.forFeature(...queues.map(({ name, description }) => ({ name, adapter: BullMQAdapter, options: { ...READ_ONLY, description } }))),
      ],
    };
  }
}
