import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { AppLogger } from '@switchyard/telemetry';

type EntryModule = Parameters<typeof NestFactory.createApplicationContext>[0];

/** A worker has no HTTP listener: a Nest application context whose providers run the queues. */
export async function startWorkerApp(rootModule: EntryModule): Promise<INestApplicationContext> {
  const app = await NestFactory.createApplicationContext(rootModule, { bufferLogs: true });
  app.useLogger(app.get(AppLogger));
  app.enableShutdownHooks();
  await app.init();
  new Logger('Worker').log(`worker process ${process.pid} started`);
  return app;
}
