import assert from 'node:assert/strict';
import { request } from 'undici';
import type { WireRecord } from '../../apps/mock-provider/src/wire-log';

/** The one request apps/mock-provider received carrying `x-client-request-id: jobId`, exactly as it arrived. */
export async function wireFor(baseUrl: string, jobId: string): Promise<WireRecord> {
  const response = await request(`${baseUrl}/_control/wire?limit=500`);
  const { data } = (await response.body.json()) as { data: WireRecord[] };
  const matching = data.filter((record) => record.headers['x-client-request-id'] === jobId);
  assert.equal(matching.length, 1, `expected one upstream request for ${jobId}, saw ${matching.length}`);
  return matching[0];
}
