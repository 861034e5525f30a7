/** Where the gateway is and how to talk to it, from flags or the environment. */
export interface CliContext {
  /** Base URL of the gateway, without `/v1` (`--url` or SWITCHYARD_URL; default http://127.0.0.1:8080). */
  url: string;
  /** API key (`--key` or SWITCHYARD_API_KEY); undefined for an open gateway. */
  key: string | undefined;
  /** `--json`: machine-readable output on stdout, nothing else there. */
  json: boolean;
}

/** Exit codes a script can trust; documented in the README. */
export const EXIT = {
  ok: 0,
  /** Something failed that the user can fix in the command line or the files (bad flag, bad file). */
  usage: 2,
  /** The gateway is not reachable or answered 5xx. */
  unavailable: 3,
  /** The key was refused (401/403). */
  auth: 4,
  /** The gateway refused the request (4xx other than auth), or a job/batch ended failed. */
  rejected: 5,
  /** Some items failed (e.g. chunks of a docs run); the rest succeeded. */
  partial: 6,
  /** A bug in the CLI itself ("internal error"; --debug prints the stack). */
  internal: 1,
  /** Interrupted (Ctrl-C); running again resumes. */
  interrupted: 130,
} as const;
