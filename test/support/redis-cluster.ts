import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Cluster, type Redis } from 'ioredis';
import { freePort } from './free-port';
import { sleep } from './reaper';
import { PrivateRedis } from './redis-server';

const run = promisify(execFile);

export interface RedisClusterOptions {
  /** Masters to start (default 3, the least `redis-cli --cluster create` takes). */
  masters?: number;
  /** How long to wait for `cluster_state:ok` on every node (default 20 000 ms). */
  readyTimeoutMs?: number;
}

/**
 * A private Redis Cluster for one test file: `masters` redis-servers with `--cluster-enabled yes`,
 * each a PrivateRedis (own free port, own temp dir, no persistence), joined by
 * `redis-cli --cluster create` with no replicas. Never touches the shared Redis on 6379.
 */
export class RedisCluster {
  /** redis://127.0.0.1:<port> of each master, in start order. */
  readonly nodes: readonly string[];
  private readonly clients = new Set<Cluster>();
  private readonly nodeClients = new Map<PrivateRedis, Redis>();
  private stopped?: Promise<void>;

  private constructor(readonly servers: readonly PrivateRedis[]) {
    this.nodes = servers.map((server) => server.url);
  }

  static async start(options: RedisClusterOptions = {}): Promise<RedisCluster> {
    const masters = options.masters ?? 3;
    const servers: PrivateRedis[] = [];
    try {
      for (let i = 0; i < masters; i++) {
        // The bus port is named: the default (port + 10000) is past 65535 for most free ports.
        const busPort = await freePort();
        servers.push(await PrivateRedis.start({ extraArgs: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '5000'] }));
      }
      const addresses = servers.map((server) => `127.0.0.1:${server.port}`);
      await run('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
      const cluster = new RedisCluster(servers);
      await cluster.waitUntilOk(options.readyTimeoutMs ?? 20_000);
      return cluster;
    } catch (error) {
      await Promise.all(servers.map((server) => server.stop()));
      throw error;
    }
  }

  /** The variables that point a gateway process at this cluster (REDIS_URL too, so nothing falls back to 6379). */
  gatewayEnv(): Record<string, string> {
    return { REDIS_CLUSTER_NODES: this.nodes.join(','), REDIS_URL: this.nodes[0] ?? '' };
  }

  /** A new cluster client; closed by stop(). */
  client(): Cluster {
    const client = new Cluster(this.servers.map((server) => ({ host: '127.0.0.1', port: server.port })));
    client.on('error', () => undefined);
    this.clients.add(client);
    return client;
  }

  /** Keys matching `pattern` on every master (KEYS on a cluster client asks one node only). */
  async keys(pattern: string): Promise<string[]> {
    const perNode = await Promise.all(this.servers.map((server) => this.nodeClient(server).keys(pattern)));
    return perNode.flat();
  }

  /** How many keys each master holds, in `nodes` order. */
  async keyCounts(): Promise<number[]> {
    return Promise.all(this.servers.map((server) => this.nodeClient(server).dbsize()));
  }

  /** The hash slot Redis gives `key`. */
  async slotOf(key: string): Promise<number> {
    return Number(await this.nodeClient(this.servers[0]).cluster('KEYSLOT', key));
  }

  /** Closes the clients and stops every server. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      for (const client of this.clients) client.disconnect();
      this.clients.clear();
      await Promise.all(this.servers.map((server) => server.stop()));
    })();
    return this.stopped;
  }

  /** One plain client per node, for the per-node reads; the node's PrivateRedis closes it. */
  private nodeClient(server: PrivateRedis | undefined): Redis {
    if (!server) throw new Error('RedisCluster has no servers');
    let client = this.nodeClients.get(server);
    if (!client) {
      client = server.client();
      this.nodeClients.set(server, client);
    }
    return client;
  }

  private async waitUntilOk(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let states: string[] = [];
    while (Date.now() < deadline) {
      states = await Promise.all(this.servers.map(async (server) => /cluster_state:(\w+)/.exec(String(await this.nodeClient(server).cluster('INFO')))?.[1] ?? 'unknown'));
      if (states.every((state) => state === 'ok')) return;
      await sleep(100);
    }
    throw new Error(`RedisCluster: nodes not ok within ${timeoutMs} ms (cluster_state: ${states.join(', ')})`);
  }
}
