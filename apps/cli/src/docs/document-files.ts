import { glob, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

/** The extensions `docs` reads; each has an extractor in document-text.ts. */
export const DOCUMENT_EXTENSIONS = ['.txt', '.md', '.html', '.htm', '.pdf', '.docx'] as const;

const GLOB_CHARS = /[*?[\]{}]/;

export type FileDiscovery =
  /** `root`: what document names are relative to (the folder, or the working directory for a glob). */
  | { kind: 'files'; root: string; paths: string[] }
  | { kind: 'missing'; source: string }
  | { kind: 'empty'; source: string };

function isDocument(path: string): boolean {
  return (DOCUMENT_EXTENSIONS as readonly string[]).includes(extname(path).toLowerCase());
}

async function kindOf(path: string): Promise<'file' | 'directory' | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
}

/**
 * The documents a folder (searched recursively), a glob or one file names, as absolute paths in a
 * stable order: the order decides output order and nothing else, so reruns agree.
 */
export async function discoverDocuments(source: string): Promise<FileDiscovery> {
  const kind = await kindOf(source);
  let pattern: string;
  let cwd: string;
  if (kind === 'directory') {
    cwd = resolve(source);
    pattern = '**/*';
  } else if (kind === 'file') {
    return isDocument(source) ? { kind: 'files', root: process.cwd(), paths: [resolve(source)] } : { kind: 'empty', source };
  } else if (GLOB_CHARS.test(source)) {
    cwd = process.cwd();
    pattern = source;
  } else {
    return { kind: 'missing', source };
  }
  const paths: string[] = [];
  for await (const match of glob(pattern, { cwd })) {
    const path = resolve(cwd, match);
    if (isDocument(path) && (await kindOf(path)) === 'file') paths.push(path);
  }
  paths.sort();
  return paths.length > 0 ? { kind: 'files', root: cwd, paths } : { kind: 'empty', source: kind === 'directory' ? join(source, pattern) : source };
}
