/**
 * A configuration the gateway refuses to start with. The message is complete on its own (one
 * line per problem) so start-up can print it without a stack trace.
 */
export class ConfigError extends Error {
  readonly issues: string[];

  constructor(source: string, issues: string[]) {
    super([`Invalid configuration (${source}):`, ...issues].join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
