import 'reflect-metadata';
import { loadConfig } from '@switchyard/config';
import { boot } from '@switchyard/telemetry';
import { startWorkerApp } from '@switchyard/worker';
import { WorkerAppModule } from './worker-app.module';

boot('worker', async () => {
  await startWorkerApp(WorkerAppModule.forRoot(loadConfig()));
});
