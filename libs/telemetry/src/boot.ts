/**
 * Runs an app's start-up and turns any failure into one clear message and exit code 1.
 * Errors that carry a user-facing explanation (bad config, no Redis) print without a stack.
 */
export function boot(app: string, start: () => Promise<unknown>): void {
  start().catch((error: unknown) => {
    const expected = error instanceof Error && ['ConfigError', 'RedisUnavailableError'].includes(error.constructor.name);
    const text = error instanceof Error ? (expected ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(`switchyard ${app}: failed to start\n${text}\n`);
    process.exit(1);
  });
}
