import 'reflect-metadata';
import { loadConfig } from '@switchyard/config';
import { startHttpApp } from '@switchyard/http';
import { ensureRedis } from '@switchyard/redis';
import { boot } from '@switchyard/telemetry';
import { StandaloneAppModule } from './standalone-app.module';

const SHUTDOWN_LIMIT_MS = 10_000;

boot('standalone', async () => {
  const configured = loadConfig();
  const redis = await ensureRedis(configured.redis);
  if (redis.embedded) process.stderr.write(`Redis not reachable at ${configured.redis.url}; started a private redis-server at ${redis.url}\n`);
  const config = redis.embedded ? loadConfig({ ...process.env, REDIS_URL: redis.url }) : configured;
  // Shutdown is ours rather than Nest's: the private Redis must stop after the app is closed.
  const app = await startHttpApp(StandaloneAppModule.forRoot(config), config, { shutdownHooks: false });
  const shutdown = async () => {
    // A close stuck on a connection must not keep a stopped gateway (and its private Redis) alive.
    const stuck = setTimeout(() => {
      process.stderr.write(`Shutdown took longer than ${SHUTDOWN_LIMIT_MS} ms; exiting anyway\n`);
      void redis.stop().finally(() => process.exit(1));
    }, SHUTDOWN_LIMIT_MS);
    await app.close();
    await redis.stop();
    clearTimeout(stuck);
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());
});
