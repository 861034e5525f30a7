import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { connect } from 'node:net';
import { api, freePort, repoRoot, spawnApp, stopAll, waitFor, writeConfig } from '../support';
import { type JobLike } from './fixtures';

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('start-up', () => {
  after(() => stopAll());

  const badConfigs: Array<[string, string, RegExp]> = [
    ['a negative timeout', 'providers:\n  openai:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n    timeout_ms: -5\nmodels:\n  m:\n    targets: [{ provider: openai, model: x }]\n', /providers\.openai\.timeout_ms: must be a positive integer/],
    ['an unknown key', 'server:\n  prot: 80\nproviders:\n  mock:\n    type: mock\nmodels:\n  m:\n    targets: [{ provider: mock, model: echo }]\n', /server.*prot/],
    ['a model pointing at a missing provider', 'providers:\n  mock:\n    type: mock\nmodels:\n  m:\n    targets: [{ provider: nope, model: echo }]\n', /models\.m\.targets\[0\]\.provider/],
    ['a missing environment variable', 'providers:\n  openai:\n    type: openai\n    base_url: http://127.0.0.1:1/v1\n    api_key: ${SWITCHYARD_TEST_UNSET_VAR}\nmodels:\n  m:\n    targets: [{ provider: openai, model: x }]\n', /providers\.openai\.api_key.*SWITCHYARD_TEST_UNSET_VAR/],
  ];

  for (const [name, yaml, expected] of badConfigs) {
    it(`refuses to start on a config with ${name}, naming the key`, async () => {
      const path = await writeConfig(yaml);
      for (const app of ['api', 'worker'] as const) {
        const proc = await spawnApp(app, { env: { SWITCHYARD_CONFIG: path, REDIS_URL: 'redis://127.0.0.1:1' } });
        const exit = await proc.exited;
        assert.equal(exit.code, 1, `${app} exit: ${proc.output()}`);
        assert.match(proc.output(), expected);
      }
    });
  }

  it('`npm start` with no configuration starts a private Redis when none is reachable and answers a job', async () => {
    const port = await freePort();
    const deadRedis = await freePort();
    // Detached so the whole tree (npm, node, redis-server) can be signalled as one group.
    const child = spawn('npm', ['start', '--silent'], {
      cwd: repoRoot,
      env: { ...process.env, SWITCHYARD_CONFIG: '', PORT: String(port), REDIS_URL: `redis://127.0.0.1:${deadRedis}` },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const client = api(`http://127.0.0.1:${port}`);
      await waitFor(async () => (await client.get('/healthz').catch(() => undefined))?.status === 200, {
        timeoutMs: 60_000,
        message: 'npm start never answered /healthz',
      });
      assert.match(output, /private redis-server/i);
      const submitted = await client.post('/v1/jobs', { model: 'mock-echo', messages: [{ role: 'user', content: 'hello embedded' }] });
      assert.equal(submitted.status, 202, submitted.text);
      const done = (await client.get(`/v1/jobs/${(submitted.body as JobLike).id}?wait=20`)).body as JobLike;
      assert.equal(done.status, 'succeeded', JSON.stringify(done));
      const lorem = await client.post('/v1/jobs', { model: 'mock-lorem', messages: [{ role: 'user', content: 'write' }] });
      assert.equal(((await client.get(`/v1/jobs/${(lorem.body as JobLike).id}?wait=20`)).body as JobLike).status, 'succeeded');
      // Ctrl-C in a terminal: SIGINT to the whole foreground group.
      process.kill(-child.pid!, 'SIGINT');
      const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 15_000))]);
      assert.notEqual(code, 'timeout', 'npm start did not stop on SIGINT');
      const privatePort = Number(/private redis-server at redis:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
      assert.ok(privatePort > 0, output);
      await waitFor(async () => !(await accepts(privatePort)), { timeoutMs: 5_000, message: 'the private redis-server outlived the gateway' });
    } finally {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // the group is already gone
      }
    }
  });
});
