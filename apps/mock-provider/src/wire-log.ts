import type { FastifyInstance } from 'fastify';

/** One request exactly as it arrived: what wire tests assert an adapter sent. */
export interface WireRecord {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
}

const CAPACITY = 500;

/** Keeps the last few hundred provider requests (not the control routes), newest last. */
export class WireLog {
  private readonly records: WireRecord[] = [];

  attach(app: FastifyInstance): void {
    app.addHook('preHandler', async (request) => {
      if (request.url.startsWith('/_control')) return;
      const [path, query = ''] = request.url.split('?');
      this.records.push({ method: request.method, path, query, headers: { ...request.headers }, body: request.body });
      if (this.records.length > CAPACITY) this.records.shift();
    });
  }

  recent(limit: number): WireRecord[] {
    return this.records.slice(-limit);
  }

  clear(): void {
    this.records.length = 0;
  }
}
