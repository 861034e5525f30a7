import type { FastifyInstance } from 'fastify';
import type { FamilyRouteDeps } from '../mock-call';

/** Each provider family's endpoints, one line per family. */
const FAMILY_ROUTES: Array<(app: FastifyInstance, deps: FamilyRouteDeps) => void> = [];

export function registerFamilyRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  for (const register of FAMILY_ROUTES) register(app, deps);
}
