/** What createMockProviderServer needs; every field has a default, so tests pass only what they test. */
export interface MockProviderOptions {
  /** Default latency before every answer. */
  latencyMs?: number;
  /** Chance (0..1) that a request fails with `errorStatus`. */
  errorRate?: number;
  errorStatus?: number;
  /** Never answer until the client goes away. */
  hang?: boolean;
  /** When set, requests must carry `authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** When set, Bedrock routes verify each request's AWS Signature Version 4 against these credentials. */
  aws?: AwsCredentials;
  /** How many recent requests /_control/requests keeps. */
  logCapacity?: number;
  bodyLimitBytes?: number;
  /** The source of randomness for error_rate; tests pin it. */
  random?: () => number;
}

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface MockProviderBoot {
  host: string;
  port: number;
  server: MockProviderOptions;
}

type Env = Readonly<Record<string, string | undefined>>;

function number(env: Env, name: string, check: (value: number) => boolean): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new Error(`${name}=${raw} is not valid`);
  return value;
}

/** The MOCK_* environment variables, checked once at boot. */
export function mockOptionsFromEnv(env: Env): MockProviderBoot {
  return {
    host: env.MOCK_HOST || '127.0.0.1',
    port: number(env, 'MOCK_PORT', (v) => Number.isInteger(v) && v >= 0 && v < 65536) ?? 9090,
    server: {
      latencyMs: number(env, 'MOCK_LATENCY_MS', (v) => v >= 0),
      errorRate: number(env, 'MOCK_ERROR_RATE', (v) => v >= 0 && v <= 1),
      errorStatus: number(env, 'MOCK_ERROR_STATUS', (v) => Number.isInteger(v) && v >= 400 && v <= 599),
      hang: env.MOCK_HANG === '1' || env.MOCK_HANG === 'true',
      apiKey: env.MOCK_API_KEY || undefined,
      aws: env.MOCK_AWS_ACCESS_KEY_ID && env.MOCK_AWS_SECRET_ACCESS_KEY
        ? { accessKeyId: env.MOCK_AWS_ACCESS_KEY_ID, secretAccessKey: env.MOCK_AWS_SECRET_ACCESS_KEY }
        : undefined,
    },
  };
}
