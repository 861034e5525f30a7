import type { WriteStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import { EXIT } from './cli-context';
import { CliError } from './cli-error';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
};

function fileError(verb: 'read' | 'write', path: string, error: unknown): CliError {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const reason = REASONS[code] ?? (error instanceof Error ? error.message : String(error));
  return new CliError(EXIT.usage, `cannot ${verb} ${path}: ${reason}`);
}

/** A text file the user named (`-` for stdin); a missing or unreadable one is a usage error (exit 2). */
export async function readInputFile(path: string): Promise<string> {
  if (path === '-') return text(process.stdin);
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw fileError('read', path, error);
  }
}

/** Checks up front that a file to be streamed (an upload) is a readable regular file. */
export async function assertReadableFile(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    const isFile = (await handle.stat()).isFile();
    await handle.close();
    if (!isFile) throw Object.assign(new Error('not a file'), { code: 'EISDIR' });
  } catch (error) {
    throw fileError('read', path, error);
  }
}

/** A JSON object from a file the user named; anything else is a usage error. */
export async function readJsonObject(path: string): Promise<Record<string, unknown>> {
  const source = await readInputFile(path);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    throw new CliError(EXIT.usage, `${path} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CliError(EXIT.usage, `${path} must hold a JSON object`);
  return value as Record<string, unknown>;
}

/** A file to write results to, opened (created or truncated) before any work is done. */
export async function openOutputFile(path: string): Promise<WriteStream> {
  try {
    return (await open(path, 'w')).createWriteStream();
  } catch (error) {
    throw fileError('write', path, error);
  }
}
