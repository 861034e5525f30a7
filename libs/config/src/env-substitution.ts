import type { ConfigIssue } from './config-issue';
import { isMapping, setOwn } from './yaml-tree';

/** `$${` is a literal `${`; otherwise `${NAME}` or `${NAME:-default}`. */
const REFERENCE = /\$\$\{|\$\{([^}]*)(\})?/g;
const NAME_AND_DEFAULT = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s;

export interface SubstitutionResult {
  value: unknown;
  issues: ConfigIssue[];
}

/**
 * Replaces `${VAR}` references in the string values of an already-parsed tree. Working on
 * parsed values, not on the file's text, means an environment value can never add YAML
 * structure; and the result is not scanned again, so it cannot pull in other variables.
 * Keys are left alone: they are names, not settings.
 */
export function substituteEnv(tree: unknown, env: NodeJS.ProcessEnv): SubstitutionResult {
  const issues: ConfigIssue[] = [];
  const value = walk(tree, [], env, issues);
  return { value, issues };
}

function walk(value: unknown, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: ConfigIssue[]): unknown {
  if (typeof value === 'string') return substituteString(value, path, env, issues);
  if (Array.isArray(value)) return value.map((item: unknown, i) => walk(item, [...path, i], env, issues));
  if (!isMapping(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) setOwn(out, key, walk(child, [...path, key], env, issues));
  return out;
}

function substituteString(text: string, path: PropertyKey[], env: NodeJS.ProcessEnv, issues: ConfigIssue[]): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined, closed: string | undefined) => {
    if (match === '$${') return '${';
    const problem = (message: string) => {
      issues.push({ path, message });
      return match;
    };
    if (closed === undefined) return problem(`unterminated "\${" (write "$\${" for a literal "\${")`);
    const parts = NAME_AND_DEFAULT.exec(body ?? '');
    if (!parts) return problem(`invalid variable reference "${match}": use \${NAME} or \${NAME:-default}`);
    const [, name, fallback] = parts;
    if (fallback?.includes('${')) return problem(`nested references are not supported in "${match}"`);
    const current = env[name];
    // As in the shell, `:-` also covers a variable that is set but empty.
    if (fallback !== undefined) return current === undefined || current === '' ? fallback : current;
    if (current === undefined) return problem(`environment variable ${name} is not set`);
    return current;
  });
}
