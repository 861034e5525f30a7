import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import type { ConfigIssue } from './config-issue';

export type ConfigTree = Record<string, unknown>;

export type TreeResult = { ok: true; tree: ConfigTree } | { ok: false; issues: ConfigIssue[] };

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Plain assignment of a `__proto__` key from the file would swap the object's prototype instead. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const READ_FAILURES: Readonly<Record<string, string>> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'is a directory, not a file',
};

/** `envName` is where the path came from, so the message points at what to fix. */
export function readConfigText(file: string, envName: string): { ok: true; text: string } | { ok: false; issues: ConfigIssue[] } {
  try {
    return { ok: true, text: readFileSync(file, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = (code !== undefined && READ_FAILURES[code]) || (error instanceof Error ? error.message : String(error));
    return { ok: false, issues: [{ path: [envName], message: `cannot read ${file}: ${reason}` }] };
  }
}

/** Parses YAML into plain data; the top level has to be a mapping. */
export function parseConfigYaml(text: string): TreeResult {
  // YAML 1.2 core schema: `no`, `on` and friends stay strings, so a value means what it looks like.
  const doc = parseDocument(text, { version: '1.2', uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return { ok: false, issues: doc.errors.map((error) => ({ path: [], message: describeYamlError(error.message, error.linePos?.[0]) })) };
  }
  const tree: unknown = doc.toJS();
  if (tree === null || tree === undefined) return { ok: false, issues: [{ path: [], message: 'the file is empty' }] };
  if (!isMapping(tree)) {
    const got = Array.isArray(tree) ? 'a list' : `a ${typeof tree}`;
    return { ok: false, issues: [{ path: [], message: `the top level must be a mapping of sections (server, providers, models, ...), not ${got}` }] };
  }
  return { ok: true, tree: dropNullEntries(tree) };
}

function describeYamlError(message: string, position: { line: number; col: number } | undefined): string {
  // The library appends its own position and a source excerpt; keep one line with ours in front.
  // It also quotes the offending text, which can be a credential: the line and column say where.
  const summary = message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/"[^"]*"/g, '(text left out)');
  return position ? `YAML syntax error at line ${position.line}:${position.col}: ${summary}` : `YAML syntax error: ${summary}`;
}

/**
 * `key:` with nothing after it reads as null; treating it as "not given" lets a commented-out
 * section or an emptied value fall back to its default instead of failing as the wrong type.
 */
function dropNullEntries<T>(value: T): T {
  if (Array.isArray(value)) return value.map((item: unknown) => dropNullEntries(item)) as T;
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (child !== null) setOwn(out, key, dropNullEntries(child));
  }
  return out as T;
}
