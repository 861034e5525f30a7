/**
 * True for the errors ioredis raises when Redis cannot be reached (a command out of retries, a
 * closed or refused connection), as opposed to an error Redis itself answered: callers turn the
 * first kind into a 503 "retry shortly", never a 500.
 */
export function isRedisOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  const code = (error as { code?: unknown }).code;
  if (code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'ETIMEDOUT') return true;
  return /Connection is closed|enableOfflineQueue|Stream isn't writeable/.test(error.message);
}
