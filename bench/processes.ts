import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { freePort, repoRoot, spawnProcess, writeConfig, type AppProcess, type PrivateRedis } from '../test/support';

/**
 * Benchmark processes log to logs/bench/<app>-<pid>.log. `nodeArgs` go before main.js (e.g.
 * --cpu-prof); the apps exit normally on SIGTERM, so profiles are written.
 */
const LOG_DIR = join(repoRoot, 'logs', 'bench');

function mainOf(app: string): string {
  return join(repoRoot, 'dist', 'apps', app, 'src', 'main.js');
}

export interface HttpApp {
  baseUrl: string;
  process: AppProcess;
}

/** apps/api on a free port; ready when /healthz answers. */
export async function startApi(redis: PrivateRedis, configYaml: string, nodeArgs: readonly string[] = []): Promise<HttpApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = await spawnProcess(process.execPath, [...nodeArgs, mainOf('api')], {
    name: 'api',
    logDir: LOG_DIR,
    env: { SWITCHYARD_CONFIG: await writeConfig(configYaml), PORT: String(port), REDIS_URL: redis.url, LOG_LEVEL: 'warn' },
    readyUrl: `${baseUrl}/healthz`,
    timeoutMs: 30_000,
  });
  return { baseUrl, process: proc };
}

/**
 * apps/worker; ready on its "worker ready" line. That line is logged at info, the only level
 * that shows it, and the worker logs nothing per successful job at info, so info costs nothing.
 */
export async function startWorker(
  redis: PrivateRedis,
  configYaml: string,
  name = 'worker',
  nodeArgs: readonly string[] = [],
): Promise<AppProcess> {
  return spawnProcess(process.execPath, [...nodeArgs, mainOf('worker')], {
    name,
    logDir: LOG_DIR,
    env: { SWITCHYARD_CONFIG: await writeConfig(configYaml), PORT: undefined, WORKER_HEALTH_PORT: '0', REDIS_URL: redis.url, LOG_LEVEL: 'info' },
    readyLine: /worker ready/i,
    timeoutMs: 30_000,
  });
}

/** apps/mock-provider on a free port with a fixed latency and a required key. */
export async function startMockUpstream(latencyMs: number, apiKey: string): Promise<HttpApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = await spawnProcess(process.execPath, [mainOf('mock-provider')], {
    name: 'mock-provider',
    logDir: LOG_DIR,
    env: { MOCK_HOST: '127.0.0.1', MOCK_PORT: String(port), MOCK_LATENCY_MS: String(latencyMs), MOCK_API_KEY: apiKey },
    readyUrl: `${baseUrl}/_control/health`,
    timeoutMs: 30_000,
  });
  return { baseUrl, process: proc };
}

/** The package's `bin` (it has no `main` to resolve). */
function portkeyBin(): string {
  const manifest = require.resolve('@portkey-ai/gateway/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: string };
  return join(dirname(manifest), bin);
}

/**
 * The Portkey gateway (@portkey-ai/gateway) as its package bin starts it: `build/start-server.js`,
 * port from `--port=`, `--headless` to skip its log-viewer UI. It needs no install script (its
 * `postinstall` runs patch-package, and the published package ships no patches) and no config:
 * each request names its provider and upstream in `x-portkey-*` headers.
 */
export async function startPortkey(): Promise<HttpApp> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = await spawnProcess(process.execPath, [portkeyBin(), `--port=${port}`, '--headless'], {
    name: 'portkey',
    logDir: LOG_DIR,
    readyUrl: `${baseUrl}/`,
    timeoutMs: 30_000,
  });
  return { baseUrl, process: proc };
}
