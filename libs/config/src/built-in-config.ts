import type { ConfigTree } from './yaml-tree';

export const BUILT_IN_SOURCE = 'built-in default';

/**
 * What runs when no file is given: a mock provider and two models on it, so `npm start`
 * works out of the box with no upstream and no keys. It goes through the same validation
 * and environment overrides as a file.
 */
export function builtInConfigTree(): ConfigTree {
  return {
    providers: { mock: { type: 'mock' } },
    models: {
      'mock-echo': { targets: [{ provider: 'mock', model: 'echo' }] },
      'mock-lorem': { targets: [{ provider: 'mock', model: 'lorem' }] },
    },
  };
}
