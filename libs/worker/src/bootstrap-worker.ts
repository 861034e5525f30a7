import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppLogger } from '@switchyard/telemetry';
import { WorkerHealthServer } from './worker-health-server';

type EntryModule = Parameters<typeof NestFactory.createApplicationContext>[0];

/** A Nest application context whose providers run the queues; no HTTP stack, only the small health port. */
export async function startWorkerApp(rootModule: EntryModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(rootModule, { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  app.enableShutdownHooks();
  await app.init();
  // After init, so /readyz answers only once the queue workers are running.
  await app.get(WorkerHealthServer).start();
  new Logger('Worker').log(`worker process ${process.pid} started`);
  return app;
}
