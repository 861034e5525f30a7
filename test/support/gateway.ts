import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { spawnApp, type AppProcess } from './processes';
import { registerCleanup } from './reaper';
import { gatewayRedisEnv, type TestRedis } from './gateway-redis';
import { RoundRobinProxy } from './round-robin-proxy';
import { topologyApps } from './scale-topology';

export type GatewayApp = 'standalone' | 'api' | 'worker';

export interface StartGatewayOptions {
  /** A PrivateRedis (with SWITCHYARD_TEST_REDIS=cluster, a Redis Cluster started for it) or a RedisCluster. */
  redis: TestRedis;
  /** YAML text of the Switchyard config; written to a temp file passed as SWITCHYARD_CONFIG. */
  config: string;
  /**
   * Which apps to start, in parallel (default ['standalone']). With SWITCHYARD_TEST_TOPOLOGY=scale,
   * ['standalone'] and ['api', 'worker'] become 3 api and 4 worker processes.
   */
  apps?: GatewayApp[];
  /** Extra env, merged over the defaults (SWITCHYARD_CONFIG, PORT, REDIS_URL or REDIS_CLUSTER_NODES, LOG_LEVEL=info). */
  env?: Record<string, string | undefined>;
  /** Readiness timeout per app (default 30 000 ms). */
  timeoutMs?: number;
}

export interface Gateway {
  /**
   * http://127.0.0.1:<port> of the first HTTP app (api/standalone); '' if only workers were started.
   * In the scale topology, a round-robin front over the 3 apis.
   */
  baseUrl: string;
  /** One per HTTP app, in `apps` order. */
  baseUrls: string[];
  /** One per app, in `apps` order. */
  processes: AppProcess[];
  configPath: string;
  /** SIGTERM these processes (SIGKILL after graceMs, default 5 s) and wait for them to exit. */
  stop(graceMs?: number): Promise<void>;
}

export interface MockProvider {
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  process: AppProcess;
}

/** Writes the YAML to `<new temp dir>/switchyard.yaml` (removed when the test process exits) and returns its path. */
export async function writeConfig(yamlText: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'switchyard-config-'));
  registerCleanup(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'switchyard.yaml');
  await writeFile(path, yamlText, 'utf8');
  return path;
}

/** Starts the given apps against a private Redis and a config file; resolves once all are ready. */
export async function startGateway(options: StartGatewayOptions): Promise<Gateway> {
  const { apps, scaled } = topologyApps(options.apps ?? ['standalone']);
  const configPath = await writeConfig(options.config);
  const common: Record<string, string | undefined> = {
    SWITCHYARD_CONFIG: configPath,
    ...(await gatewayRedisEnv(options.redis)),
    LOG_LEVEL: 'info',
  };
  // Pick the ports first (distinct), then start everything in parallel.
  const used = new Set<number>();
  const plan: Array<{ app: GatewayApp; port?: number }> = [];
  for (const app of apps) {
    if (app === 'worker') {
      plan.push({ app });
      continue;
    }
    let port = await freePort();
    while (used.has(port)) port = await freePort();
    used.add(port);
    plan.push({ app, port });
  }
  const results = await Promise.allSettled(
    plan.map(({ app, port }) =>
      port === undefined
        ? spawnApp(app, {
            env: { ...common, PORT: undefined, ...options.env },
            readyLine: /worker ready/i,
            timeoutMs: options.timeoutMs,
          })
        : spawnApp(app, {
            env: { ...common, PORT: String(port), ...options.env },
            readyUrl: `http://127.0.0.1:${port}/healthz`,
            timeoutMs: options.timeoutMs,
          }),
    ),
  );
  const processes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
  if (failures.length > 0) {
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    const messages = failures.map((f) => (f instanceof Error ? f.message : String(f)));
    throw new Error(`startGateway(${apps.join(', ')}) failed:\n${messages.join('\n---\n')}`, { cause: failures[0] });
  }
  const ordered = plan.flatMap(({ port }) => (port === undefined ? [] : [`http://127.0.0.1:${port}`]));
  const front = scaled ? await RoundRobinProxy.start(ordered) : undefined;
  return {
    baseUrl: front?.url ?? ordered[0] ?? '',
    baseUrls: ordered,
    processes,
    configPath,
    stop: async (graceMs = 5_000) => {
      await front?.stop();
      await Promise.all(processes.map((p) => p.kill('SIGTERM', graceMs)));
    },
  };
}

/** Starts apps/mock-provider on a free port (MOCK_PORT, MOCK_HOST=127.0.0.1); ready when /_control/health answers. */
export async function startMockProvider(env: Record<string, string | undefined> = {}, timeoutMs?: number): Promise<MockProvider> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const proc = await spawnApp('mock-provider', {
    env: { MOCK_PORT: String(port), MOCK_HOST: '127.0.0.1', ...env },
    readyUrl: `${baseUrl}/_control/health`,
    timeoutMs,
  });
  return { baseUrl, process: proc };
}
