/** Switchyard configuration for the benchmark processes, as YAML text. */

export const BENCH_KEY = 'sk-bench-0123456789abcdef';
export const UPSTREAM_KEY = 'sk-bench-upstream-0123456789';
export const PREFIX = 'sy';

/** The providers the scenarios use; each has one public model routed to it. */
export type BenchProvider = 'mock' | 'mock-slow' | 'upstream-slow';

export const MODEL_OF: Record<BenchProvider, string> = {
  mock: 'mock-echo',
  'mock-slow': 'mock-slow',
  'upstream-slow': 'gpt-slow',
};

export interface BenchConfigOptions {
  /** Providers (and their models) in this process's config. */
  providers: readonly BenchProvider[];
  /** apps/mock-provider base URL (no /v1), needed for upstream-slow. */
  mockProviderUrl?: string;
  /** Worker concurrency of the 0 ms provider. */
  echoConcurrency: number;
  /** Latency and worker concurrency of the slow providers. */
  slowDelayMs: number;
  slowConcurrency: number;
}

function providerYaml(provider: BenchProvider, options: BenchConfigOptions): string {
  switch (provider) {
    case 'mock':
      return `  mock:
    type: mock
    concurrency: ${options.echoConcurrency}
    options:
      delay_ms: 0`;
    case 'mock-slow':
      return `  mock-slow:
    type: mock
    concurrency: ${options.slowConcurrency}
    options:
      delay_ms: ${options.slowDelayMs}`;
    case 'upstream-slow':
      if (options.mockProviderUrl === undefined) throw new Error('upstream-slow needs mockProviderUrl');
      return `  upstream-slow:
    type: openai
    base_url: ${options.mockProviderUrl}/v1
    api_key: ${UPSTREAM_KEY}
    timeout_ms: 30000
    concurrency: ${options.slowConcurrency}`;
  }
}

function modelYaml(provider: BenchProvider): string {
  const model = provider === 'upstream-slow' ? 'gpt-4o-mini' : 'echo';
  return `  ${MODEL_OF[provider]}:
    targets: [{ provider: ${provider}, model: ${model} }]`;
}

export function benchConfig(options: BenchConfigOptions): string {
  return `server:
  host: 127.0.0.1
  port: 8080
  long_poll_max_s: 60
redis:
  prefix: ${PREFIX}
auth:
  keys:
    - name: bench
      key: ${BENCH_KEY}
providers:
${options.providers.map((p) => providerYaml(p, options)).join('\n')}
models:
${options.providers.map(modelYaml).join('\n')}
retention:
  succeeded_s: 3600
  failed_s: 3600
  # The phases count completed entries to know when a queue drained, so none may be trimmed.
  queue_max_completed: 1000000
worker:
  lock_duration_ms: 30000
  stalled_interval_ms: 30000
`;
}
