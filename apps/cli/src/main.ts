import { buildProgram, type GlobalOptions } from './cli-program';
import { EXIT } from './cli-context';
import { reportFailure } from './report-failure';

// `switchyard ... | head` closes stdout early: that is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(EXIT.ok);
});

async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (error) {
    const options = program.opts<GlobalOptions>();
    process.exitCode = reportFailure(error, options.url, options.debug === true);
  }
}

void main();
