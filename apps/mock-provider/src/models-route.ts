import type { FastifyInstance } from 'fastify';

/** A fixed date, so the listing is identical on every run. */
const CREATED = 1_704_067_200;

export function registerModelsRoute(app: FastifyInstance): void {
  const models = ['echo', 'lorem'].map((id) => ({ id, object: 'model', created: CREATED, owned_by: 'switchyard-mock' }));
  app.get('/v1/models', async () => ({ object: 'list', data: models }));
}
