import type { ChildProcess } from 'node:child_process';
import { Socket } from 'node:net';

/**
 * Internal: last-resort cleanup of everything the harness started (child processes, temp dirs),
 * run synchronously when the test process exits or is told to terminate. Not re-exported.
 */
type Cleanup = () => void;

const cleanups = new Set<Cleanup>();
let installed = false;

function runAll(): void {
  for (const fn of [...cleanups]) {
    try {
      fn();
    } catch {
      // best effort: the process is going away
    }
  }
  cleanups.clear();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', runAll);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      runAll();
      // If nobody else handles the signal, re-raise it so the default action (terminate) happens.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    });
  }
}

/** Registers a synchronous cleanup; returns a function that unregisters it. */
export function registerCleanup(fn: Cleanup): () => void {
  install();
  cleanups.add(fn);
  return () => {
    cleanups.delete(fn);
  };
}

/**
 * Sends a signal to a child's whole process group. All harness children are spawned detached, so
 * each leads its own group (pgid = pid); signalling the group also reaches its grandchildren.
 */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined || pid <= 0) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true if `promise` settles within `ms`, false otherwise; never leaves a timer behind. */
export function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

/**
 * Harness children don't keep the test process alive by themselves (a test file that forgets
 * stopAll() must still be able to finish; the exit hook then kills them). While the harness waits
 * on a child, it refs it again.
 */
export function setChildRef(child: ChildProcess, on: boolean): void {
  if (on) child.ref();
  else child.unref();
  for (const stream of [child.stdout, child.stderr]) {
    if (!(stream instanceof Socket)) continue;
    if (on) stream.ref();
    else stream.unref();
  }
}

const holds = new WeakMap<ChildProcess, number>();

/** Keeps `child` ref'd until `promise` settles (nested holds are counted). */
export async function holdWhile<T>(child: ChildProcess, promise: Promise<T>): Promise<T> {
  const count = (holds.get(child) ?? 0) + 1;
  holds.set(child, count);
  if (count === 1) setChildRef(child, true);
  try {
    return await promise;
  } finally {
    const left = (holds.get(child) ?? 1) - 1;
    if (left <= 0) {
      holds.delete(child);
      setChildRef(child, false);
    } else {
      holds.set(child, left);
    }
  }
}
