import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits `ms` (or, for `'forever'`, until aborted), rejecting as soon as `signal` aborts. The timer is
 * cleared on abort, so a canceled call leaves nothing behind to keep the process alive.
 */
export async function mockWait(ms: number | 'forever', signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  if (ms === 'forever') {
    return new Promise<void>((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  }
  if (ms > 0) await sleep(ms, undefined, { signal });
}
