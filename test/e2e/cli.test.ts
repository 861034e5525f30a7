import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BatchObject, CursorPage, JobObject } from '@switchyard/contracts';
import { api, freePort, PrivateRedis, repoRoot, startGateway, stopAll, waitFor, type ApiClient, type Gateway } from '../support';
import { TEAM_A_KEY } from './fixtures';

const CLI = join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js');

const CONFIG = `
server: { host: 127.0.0.1 }
auth:
  keys:
    - { name: team-a, key: ${TEAM_A_KEY} }
providers:
  mock: { type: mock, concurrency: 20 }
models:
  mock-echo:
    targets: [{ provider: mock, model: echo }]
retention: { succeeded_s: 600, failed_s: 600 }
`;

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would, with the gateway and key in its environment unless overridden. */
function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function jsonOf<T>(run: CliRun): T {
  assert.equal(run.stdout.trim().split('\n').length, 1, `--json prints one line: ${run.stdout}`);
  return JSON.parse(run.stdout) as T;
}

function requestLine(customId: string, content: string): string {
  return JSON.stringify({ custom_id: customId, method: 'POST', url: '/v1/chat/completions', body: { model: 'mock-echo', messages: [{ role: 'user', content }] } });
}

describe('switchyard CLI against a running gateway', () => {
  let redis: PrivateRedis;
  let gateway: Gateway;
  let http: ApiClient;
  let dir: string;
  let run: (args: string[], env?: Record<string, string | undefined>) => Promise<CliRun>;

  before(async () => {
    redis = await PrivateRedis.start();
    gateway = await startGateway({ redis, config: CONFIG });
    http = api(gateway.baseUrl, TEAM_A_KEY);
    dir = await mkdtemp(join(tmpdir(), 'switchyard-cli-'));
    run = (args, env = {}) => cli(args, { SWITCHYARD_URL: gateway.baseUrl, SWITCHYARD_API_KEY: TEAM_A_KEY, ...env });
  });

  after(async () => {
    await stopAll();
    await redis.stop();
  });

  it('submits a job, waits for it and prints the answer (exit 0)', async () => {
    const done = await run(['jobs', 'submit', '--model', 'mock-echo', '--wait', 'hello from the cli']);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /^\S+ {2}succeeded {2}mock-echo via mock\/echo/);
    assert.match(done.stdout, /hello from the cli/);
  });

  it('prints exactly the API job with --json for submit, get and wait', async () => {
    const submitted = jsonOf<JobObject>(await run(['--json', 'jobs', 'submit', '-m', 'mock-echo', 'json please']));
    assert.equal(submitted.object, 'job');
    const waited = await run(['jobs', 'wait', submitted.id, '--json']);
    assert.equal(waited.code, 0, waited.stderr);
    const job = jsonOf<JobObject>(waited);
    assert.equal(job.status, 'succeeded');
    const fromApi = (await http.get(`/v1/jobs/${submitted.id}`)).body;
    assert.deepEqual(job, fromApi);
    assert.deepEqual(jsonOf<JobObject>(await run(['--json', 'jobs', 'get', submitted.id])), fromApi);
  });

  it('takes the job from a JSON body file, with --model replacing its model', async () => {
    const bodyFile = join(dir, 'body.json');
    await writeFile(bodyFile, JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'from the file' }], metadata: { run: 'cli' } }));
    const done = await run(['--json', 'jobs', 'submit', '--body', bodyFile, '--model', 'mock-echo', '--wait']);
    assert.equal(done.code, 0, done.stderr);
    const job = jsonOf<JobObject>(done);
    assert.deepEqual(job.metadata, { run: 'cli' });
    assert.match(JSON.stringify(job.result), /from the file/);
  });

  it('cancels a running job; the canceled job then exits 5 on get and wait', async () => {
    const submitted = jsonOf<JobObject>(await run(['--json', 'jobs', 'submit', '-m', 'mock-echo', 'never ends #mock{"hang":true}']));
    await waitFor(async () => ((await http.get(`/v1/jobs/${submitted.id}`)).body as JobObject).status === 'active', { message: 'job active' });
    const canceled = await run(['--json', 'jobs', 'cancel', submitted.id]);
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.equal(jsonOf<JobObject>(canceled).status, 'canceled');
    const got = await run(['jobs', 'get', submitted.id]);
    assert.equal(got.code, 5);
    assert.match(got.stdout, /canceled/);
    assert.equal((await run(['jobs', 'wait', submitted.id])).code, 5);
  });

  it('exits 5 for a job that ends failed, printing its error', async () => {
    const failed = await run(['jobs', 'submit', '-m', 'mock-echo', '--wait', 'refuse #mock{"status":400}']);
    assert.equal(failed.code, 5, failed.stderr);
    assert.match(failed.stdout, /failed/);
    assert.match(failed.stdout, /error: .*\(invalid_request\)/);
  });

  it('creates a batch from a JSONL file, gets, lists it and writes its results (exit 6 with a failed line)', async () => {
    const input = join(dir, 'requests.jsonl');
    await writeFile(input, `${[requestLine('one', 'first'), requestLine('two', 'second'), requestLine('bad', '#mock{"status":400} no')].join('\n')}\n`);
    const created = await run(['--json', 'batches', 'create', input, '--window', '1h', '--metadata', 'team=cli']);
    assert.equal(created.code, 0, created.stderr);
    const batch = jsonOf<BatchObject>(created);
    assert.equal(batch.endpoint, '/v1/chat/completions');
    assert.equal(batch.completion_window, '1h');
    assert.deepEqual(batch.metadata, { team: 'cli' });

    await waitFor(async () => ((await http.get(`/v1/batches/${batch.id}`)).body as BatchObject).status === 'completed', { message: 'batch completed' });
    const got = await run(['batches', 'get', batch.id]);
    assert.equal(got.code, 0, got.stderr);
    assert.match(got.stdout, new RegExp(`^${batch.id} {2}completed {2}2/3 done, 1 failed`));

    const listed = jsonOf<CursorPage<BatchObject>>(await run(['batches', 'list', '--json']));
    assert.ok(listed.data.some((b) => b.id === batch.id));

    const results = await run(['batches', 'results', batch.id]);
    assert.equal(results.code, 6, results.stderr);
    const lines = results.stdout.trim().split('\n').map((line) => JSON.parse(line) as { custom_id: string; error: unknown });
    assert.deepEqual(lines.map((line) => line.custom_id).sort(), ['bad', 'one', 'two']);
    assert.equal(lines.filter((line) => line.error !== null).length, 1);

    const out = join(dir, 'results.jsonl');
    const written = await run(['batches', 'results', batch.id, '--out', out]);
    assert.equal(written.code, 6);
    assert.equal(written.stdout, '');
    assert.match(written.stderr, /2 succeeded and 1 failed of 3 lines, written to/);
    assert.equal(await readFile(out, 'utf8'), results.stdout);
  });

  it('cancels a batch', async () => {
    const input = join(dir, 'hanging.jsonl');
    await writeFile(input, `${[requestLine('h1', 'wait #mock{"hang":true}'), requestLine('h2', 'wait #mock{"hang":true}')].join('\n')}\n`);
    const batch = jsonOf<BatchObject>(await run(['--json', 'batches', 'create', input]));
    const canceled = await run(['--json', 'batches', 'cancel', batch.id]);
    assert.equal(canceled.code, 0, canceled.stderr);
    assert.match(jsonOf<BatchObject>(canceled).status, /^cancel/);
    await waitFor(async () => ((await http.get(`/v1/batches/${batch.id}`)).body as BatchObject).status === 'cancelled', { message: 'batch cancelled' });
    assert.equal((await run(['batches', 'get', batch.id])).code, 5);
  });

  describe('exit codes a script can trust', () => {
    it('3 when no gateway answers at the URL', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const failed = await run(['--json', 'jobs', 'get', 'job_x'], { SWITCHYARD_URL: url });
      assert.equal(failed.code, 3);
      assert.equal(failed.stdout, '');
      assert.equal(failed.stderr, `switchyard: no Switchyard gateway at ${url}: start it with \`npm start\` or set --url\n`);
    });

    it('4 when the gateway refuses the key, for fetch and SDK calls alike', async () => {
      const jobs = await run(['jobs', 'get', 'job_x', '--key', 'sk-wrong-key-000000']);
      assert.equal(jobs.code, 4);
      assert.match(jobs.stderr, /^switchyard: the gateway refused the API key: .*SWITCHYARD_API_KEY\)\n$/);
      const input = join(dir, 'one.jsonl');
      await writeFile(input, `${requestLine('x', 'x')}\n`);
      const upload = await run(['batches', 'create', input], { SWITCHYARD_API_KEY: 'sk-wrong-key-000000' });
      assert.equal(upload.code, 4, upload.stderr);
    });

    it('2 for a missing file, with no request sent', async () => {
      const missing = join(dir, 'nope.jsonl');
      const [failed, body] = await Promise.all([run(['batches', 'create', missing]), run(['jobs', 'submit', '--body', missing])]);
      assert.equal(failed.code, 2);
      assert.equal(failed.stderr, `switchyard: cannot read ${missing}: no such file or directory\n`);
      assert.equal(body.code, 2);
    });

    it('2 for a bad flag or a missing argument', async () => {
      const runs = await Promise.all([['jobs', 'submit', '-m', 'mock-echo', '--priority', 'high', 'x'], ['jobs', 'get'], ['jobs', 'submit', 'no model given']].map((args) => run(args)));
      assert.deepEqual(runs.map((r) => r.code), [2, 2, 2]);
    });

    it("5 for an unknown model, with the gateway's message", async () => {
      const failed = await run(['jobs', 'submit', '-m', 'no-such-model', 'hi']);
      assert.equal(failed.code, 5);
      assert.match(failed.stderr, /^switchyard: The model 'no-such-model' does not exist or is not served by this gateway\. \(404\)\n$/);
    });
  });
});
