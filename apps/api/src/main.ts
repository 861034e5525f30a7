import 'reflect-metadata';
import { loadConfig } from '@switchyard/config';
import { startHttpApp } from '@switchyard/http';
import { boot } from '@switchyard/telemetry';
import { ApiAppModule } from './api-app.module';

boot('api', async () => {
  const config = loadConfig();
  await startHttpApp(ApiAppModule.forRoot(config), config);
});
