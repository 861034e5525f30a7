/**
 * True for the errors ioredis raises when Redis cannot be reached (a command out of retries or
 * past its commandTimeout, a closed or refused connection), as opposed to an error Redis itself
 * answered: callers turn the first kind into a 503 "retry shortly", never a 500.
 */
export function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') return true;
  // The second line: a Redis Cluster with no reachable node or slot map.
  return /Connection is closed|enableOfflineQueue|Stream isn't writeable|^Command timed out$|None of startup nodes is available|Failed to refresh slots cache|^CLUSTERDOWN/.test(
    error.message,
  );
}
