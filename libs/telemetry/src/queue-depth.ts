import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Metrics, type QueueDepth } from './metrics';

/** Scrapes from several Prometheus servers (or a dashboard refresh) within this share one read. */
const CACHE_MS = 2000;
/** A scrape must not hang on a Redis that is away; the gauges are left out of that scrape instead. */
const READ_TIMEOUT_MS = 1000;

/**
 * Queue depths for the `switchyard_queue_jobs` gauge: every BullMQ queue registered in the app
 * (provider queues, webhooks, batches, deadlines), read from Redis on scrape, at most once per
 * CACHE_MS, never per request.
 */
@Injectable()
export class QueueDepthGauge implements OnApplicationBootstrap {
  private readonly logger = new Logger(QueueDepthGauge.name);
  private queues: Queue[] = [];
  private cached?: { atMs: number; depths: Promise<readonly QueueDepth[]> };

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    // A queue can be provided by several modules (exports, Bull Board); it is counted once.
    const byName = new Map<string, Queue>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (instance instanceof Queue && !byName.has(instance.name)) byName.set(instance.name, instance);
    }
    this.queues = [...byName.values()];
    this.metrics.observeQueues(() => this.depths());
  }

  private depths(): Promise<readonly QueueDepth[]> {
    const now = Date.now();
    if (!this.cached || now - this.cached.atMs >= CACHE_MS) this.cached = { atMs: now, depths: this.read() };
    return this.cached.depths;
  }

  private async read(): Promise<readonly QueueDepth[]> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    try {
      return await Promise.race([Promise.all(this.queues.map((queue) => depthOf(queue))), timeout]);
    } catch (error) {
      this.logger.warn(`queue depths left out of this scrape: ${(error as Error).message}`);
      return [];
    } finally {
      clearTimeout(timer);
    }
  }
}

async function depthOf(queue: Queue): Promise<QueueDepth> {
  const counts = await queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'failed');
  return {
    queue: queue.name,
    waiting: (counts.wait ?? 0) + (counts.prioritized ?? 0),
    active: counts.active ?? 0,
    delayed: counts.delayed ?? 0,
    failed: counts.failed ?? 0,
  };
}
