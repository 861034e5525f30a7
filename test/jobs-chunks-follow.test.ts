import 'reflect-metadata';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadConfig } from '@switchyard/config';
import { JobChunks, type ChunkEvent } from '@switchyard/jobs';
import { RedisConnections, RedisSubscriber } from '@switchyard/redis';
import { PrivateRedis, writeConfig } from './support';

const CONFIG_YAML = `
redis: { prefix: chunkstest }
providers:
  mock: { type: mock }
models:
  echo: { targets: [{ provider: mock, model: echo }] }
`;

type Keys = ConstructorParameters<typeof JobChunks>[2];
type Store = ConstructorParameters<typeof JobChunks>[3];
type Found = Awaited<ReturnType<Store['find']>>;

/**
 * A streaming client's reader must see its job's end however the end interleaves with its own
 * reads. The chaos-provider-faults long profile once left a client waiting to the idle limit for a
 * job that had already failed (1 stream in 200): the end was announced while the reader's record
 * read was in flight, and the reader then cleared the flag that message had set.
 */
describe('JobChunks.follow on Redis', () => {
  let redis: PrivateRedis;
  let connections: RedisConnections;
  let subscriber: RedisSubscriber;

  before(async () => {
    redis = await PrivateRedis.start();
    connections = new RedisConnections(loadConfig({ SWITCHYARD_CONFIG: await writeConfig(CONFIG_YAML), REDIS_URL: redis.url }));
    subscriber = new RedisSubscriber(connections);
  });

  after(async () => {
    await connections?.onApplicationShutdown();
    await redis?.stop();
  });

  it('sees a job end announced while its record read is in flight', async () => {
    const id = 'job_race';
    const keys = { jobChunks: (job: string) => `chunkstest:job-chunks:${job}`, jobEvents: (job: string) => `chunkstest:job-events:${job}` } as Keys;
    let reads = 0;
    const store = {
      // The first read is one Redis served just before the job ended: the end's announcement
      // reaches the reader while that read's answer is still on its way back.
      find: async (job: string): Promise<Found> => {
        reads++;
        if (reads > 1) return { id: job, status: 'failed' } as Found;
        let heard!: () => void;
        const announced = new Promise<void>((resolve) => (heard = resolve));
        // Subscribed after the reader, so this runs once the reader's own handler has run.
        const stop = await subscriber.subscribe(keys.jobEvents(job), () => heard());
        await connections.commands.publish(keys.jobEvents(job), 'failed');
        await announced;
        await stop();
        return { id: job, status: 'active' } as Found;
      },
    } as Store;
    const chunks = new JobChunks(connections, subscriber, keys, store);

    let first: ChunkEvent | undefined;
    for await (const event of chunks.follow(id, 500)) {
      first = event;
      break;
    }
    assert.equal(first?.kind, 'ended', 'the end was missed: the reader went idle');
    assert.equal(reads, 2);
  });
});
