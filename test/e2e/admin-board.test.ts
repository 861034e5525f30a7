import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { api, freePort, PrivateRedis, repoRoot, startGateway, startMockProvider, stopAll, waitFor, type ApiClient, type Gateway, type MockProvider } from '../support';
import { assertErrorShape, chat, TEAM_A_KEY, UPSTREAM_KEY, type JobLike } from './fixtures';

const ADMIN_KEY = 'sk-admin-5e1f0c9a7b3d2468';
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
const SECRETS = { UPSTREAM_KEY, TEAM_A_KEY, ADMIN_KEY, WEBHOOK_SECRET };
const BOARD = '/admin/queues';
const QUEUES = ['provider.upstream', 'provider.mock', 'webhooks', 'batches', 'deadlines'];
/** Git-ignored; the screenshots stay there after the run for a person to look at. */
const OUTPUT_DIR = join(repoRoot, 'test-output', 'admin-board');

function config(mock: MockProvider): string {
  return `
server: { host: 127.0.0.1 }
auth:
  keys:
    - name: ops
      key: ${ADMIN_KEY}
      scopes: [admin]
    - name: team-a
      key: ${TEAM_A_KEY}
      webhook: { secret: ${WEBHOOK_SECRET} }
providers:
  upstream:
    type: openai
    base_url: ${mock.baseUrl}/v1
    api_key: \${UPSTREAM_KEY}
  mock:
    type: mock
models:
  gpt-mock:
    targets: [{ provider: upstream, model: gpt-4o-mini }]
webhooks:
  retry_schedule_s: [0]
  allow_private: [127.0.0.2/32]
retention: { succeeded_s: 600, failed_s: 600 }
`;
}

function basic(key: string, user = 'ops-oncall'): string {
  return `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`;
}

interface BoardJob {
  id: string;
  data: unknown;
  finishedOn?: number;
}

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  jobs: BoardJob[];
  isPaused: boolean;
}

async function boardQueues(board: ApiClient, query = ''): Promise<BoardQueue[]> {
  const response = await board.get(`${BOARD}/api/queues${query}`);
  assert.equal(response.status, 200, response.text);
  return (response.body as { queues: BoardQueue[] }).queues;
}

function assertNoSecret(text: string, where: string): void {
  for (const [name, secret] of Object.entries(SECRETS)) assert.ok(!text.includes(secret), `${where} shows ${name}`);
}

describe('admin board: Bull Board at /admin/queues for admin keys only', () => {
  let redis: PrivateRedis;
  let mock: MockProvider;
  let gateway: Gateway;
  let board: ApiClient;
  let browser: Browser;
  let job: JobLike;

  before(async () => {
    redis = await PrivateRedis.start();
    mock = await startMockProvider();
    [gateway, browser] = await Promise.all([
      startGateway({ redis, config: config(mock), apps: ['api', 'worker', 'standalone'], env: { UPSTREAM_KEY } }),
      chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] }),
    ]);
    board = api(gateway.baseUrl, ADMIN_KEY);
    // Nothing listens there: the delivery fails and its entry stays on the webhooks queue.
    const webhook = { url: `http://127.0.0.2:${await freePort()}/hooks` };
    const submitted = await api(gateway.baseUrl, TEAM_A_KEY).post('/v1/jobs', chat('gpt-mock', 'for the board', { webhook, expires_at: Math.floor(Date.now() / 1000) + 3600 }));
    assert.equal(submitted.status, 202, submitted.text);
    const id = (submitted.body as JobLike).id;
    job = await waitFor(
      async () => {
        const polled = (await api(gateway.baseUrl, TEAM_A_KEY).get(`/v1/jobs/${id}`)).body as JobLike;
        return polled.status === 'succeeded' && polled;
      },
      { message: 'the job to succeed' },
    );
    await waitFor(async () => (await boardQueues(board)).find((q) => q.name === 'webhooks')?.counts.failed === 1, { message: 'the webhook delivery to fail' });
    mkdirSync(OUTPUT_DIR, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await stopAll();
    await redis?.stop();
  });

  it('refuses the page, its assets and its API without a key (401, Basic challenge) and with a non-admin key (403)', async () => {
    const paths = [BOARD, `${BOARD}/`, `${BOARD}/queue/provider.upstream`, `${BOARD}/static/images/logo.svg`, `${BOARD}/api/queues`, `${BOARD}/api/redis/stats`];
    for (const baseUrl of gateway.baseUrls) {
      for (const path of paths) {
        const anonymous = await api(baseUrl).get(path);
        assert.equal(anonymous.status, 401, `${path}: ${anonymous.text}`);
        assert.equal(anonymous.headers['www-authenticate'], 'Basic realm="Switchyard admin"', path);
        assertErrorShape(anonymous.body, path);
        assert.equal((await api(baseUrl).get(path, { authorization: basic('sk-not-a-key') })).status, 401, path);
        const teamA = await api(baseUrl, TEAM_A_KEY).get(path);
        assert.equal(teamA.status, 403, `${path}: ${teamA.text}`);
        assertErrorShape(teamA.body, path);
        assert.equal((await api(baseUrl).get(path, { authorization: basic(TEAM_A_KEY) })).status, 403, path);
        assert.equal((await api(baseUrl).get(path, { authorization: basic(ADMIN_KEY) })).status, 200, path);
        assert.equal((await api(baseUrl, ADMIN_KEY).get(path)).status, 200, path);
      }
    }
    // A spelling that Fastify's router decodes to the board's route meets the same check.
    assert.equal((await api(gateway.baseUrl).get('/admin/%71ueues/api/queues')).status, 401);
    // The challenge belongs to the admin pages: the API's own 401 does not make a browser prompt.
    const apiRefusal = await api(gateway.baseUrl).get('/v1/models');
    assert.equal(apiRefusal.status, 401);
    assert.equal(apiRefusal.headers['www-authenticate'], undefined);
  });

  it('refuses the browser without the admin key', async () => {
    // No credentials: the browser gets the 401 challenge, has nothing to answer it with, and stops.
    const anonymous = await browser.newContext();
    const anonymousPage = await anonymous.newPage();
    const statuses: number[] = [];
    anonymousPage.on('response', (response) => statuses.push(response.status()));
    await assert.rejects(anonymousPage.goto(`${gateway.baseUrl}${BOARD}`), /ERR_INVALID_AUTH_CREDENTIALS/);
    assert.deepEqual(statuses, [401]);
    await anonymous.close();

    const teamA = await browser.newContext({ httpCredentials: { username: 'ops-oncall', password: TEAM_A_KEY } });
    const teamAPage = await teamA.newPage();
    const response = await teamAPage.goto(`${gateway.baseUrl}${BOARD}`);
    assert.equal(response?.status(), 403);
    assert.match(await teamAPage.locator('body').innerText(), /lacks the admin scope/);
    await teamA.close();
  });

  it('logs in with the admin key, shows every provider queue with its counts, and opens the finished job', async (t) => {
    const context = await browser.newContext({ httpCredentials: { username: 'ops-oncall', password: ADMIN_KEY } });
    const page: Page = await context.newPage();
    const response = await page.goto(`${gateway.baseUrl}${BOARD}`);
    assert.equal(response?.status(), 200);

    const counts = new Map((await boardQueues(board)).map((q) => [q.name, Object.values(q.counts).reduce((sum, n) => sum + n, 0)]));
    assert.equal(counts.get('provider.upstream'), 1);
    for (const name of QUEUES) {
      const card = page.locator('section li').filter({ has: page.locator(`a[href="${BOARD}/queue/${name}"]`) });
      const total = counts.get(name);
      assert.notEqual(total, undefined, `${name} is on the board`);
      await card.getByText(`${total} ${total === 1 ? 'Job' : 'Jobs'}`, { exact: true }).waitFor({ timeout: 5_000 });
    }
    const overview = join(OUTPUT_DIR, 'overview.png');
    await page.screenshot({ path: overview, fullPage: true });

    await page.locator(`section a[href="${BOARD}/queue/provider.upstream"]`).click();
    await page.locator(`a[href="${BOARD}/queue/provider.upstream?status=completed"]`).first().click();
    await page.locator(`a[href^="${BOARD}/queue/provider.upstream/${job.id}"]`).first().click();
    await page.waitForURL(new RegExp(`/queue/provider\\.upstream/${job.id}`));
    await page.getByText('Finished at').first().waitFor({ timeout: 5_000 });
    const shown = await page.locator('body').innerText();
    assert.match(shown, new RegExp(job.id));
    assert.match(shown, /jobId:\s*"job_/);
    assertNoSecret(shown, 'the job page');
    const jobShot = join(OUTPUT_DIR, 'finished-job.png');
    await page.screenshot({ path: jobShot, fullPage: true });
    t.diagnostic(`screenshots: ${overview}, ${jobShot}`);
    await context.close();
  });

  it('shows no credential in any entry of any queue', async () => {
    let entries = 0;
    for (const name of QUEUES) {
      const [queue] = (await boardQueues(board, `?activeQueue=${name}&status=latest&page=1&jobsPerPage=100`)).filter((q) => q.name === name);
      for (const entry of queue.jobs) {
        entries++;
        const detail = await board.get(`${BOARD}/api/queues/${name}/${encodeURIComponent(entry.id)}`);
        assert.equal(detail.status, 200, detail.text);
        assertNoSecret(detail.text, `${name} entry ${entry.id}`);
      }
      assertNoSecret(JSON.stringify(queue), `the ${name} listing`);
    }
    // The provider entry and the failed webhook delivery at least: the scan saw real entries.
    assert.ok(entries >= 2, `${entries} entries scanned`);
  });

  it('keeps every queue read-only: actions on entries answer 405 and change nothing', async () => {
    for (const name of QUEUES) {
      for (const action of [`${name}/pause`, `${name}/empty`, `${name}/retry/failed`, `${name}/clean/completed`]) {
        const response = await board.put(`${BOARD}/api/queues/${action}`);
        assert.equal(response.status, 405, `${action}: ${response.text}`);
      }
    }
    const removed = await board.put(`${BOARD}/api/queues/provider.upstream/${job.id}/clean`);
    assert.equal(removed.status, 405, removed.text);
    const queues = await boardQueues(board);
    assert.ok(queues.every((q) => !q.isPaused));
    assert.equal(queues.find((q) => q.name === 'provider.upstream')?.counts.completed, 1);
  });
});
