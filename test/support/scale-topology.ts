import type { GatewayApp } from './gateway';

/** The apps of the scale-out topology: three stateless apis behind one front, four workers. */
export const SCALE_APPS: readonly GatewayApp[] = ['api', 'api', 'api', 'worker', 'worker', 'worker', 'worker'];

/**
 * `SWITCHYARD_TEST_TOPOLOGY=scale` (npm run test:scale) runs the suites that start the default
 * gateway (standalone, or one api and one worker) on 3 api and 4 worker processes instead, the
 * suite talking to the apis through a round-robin front.
 */
export function scaleTopologyRequested(): boolean {
  return process.env.SWITCHYARD_TEST_TOPOLOGY === 'scale';
}

/** The apps to start for `requested`: the scale-out set in place of a default topology, when asked. */
export function topologyApps(requested: readonly GatewayApp[]): { apps: readonly GatewayApp[]; scaled: boolean } {
  const isDefault = requested.join(',') === 'standalone' || requested.join(',') === 'api,worker';
  return scaleTopologyRequested() && isDefault ? { apps: SCALE_APPS, scaled: true } : { apps: requested, scaled: false };
}
