import { mockOptionsFromEnv } from './mock-options';
import { createMockProviderServer } from './mock-server';

async function main(): Promise<void> {
  const { host, port, server } = mockOptionsFromEnv(process.env);
  const app = createMockProviderServer(server);
  const address = await app.listen({ host, port });
  process.stdout.write(`mock-provider listening on ${address}\n`);
  const stop = (): void => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`mock-provider failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
