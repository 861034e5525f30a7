/** A problem found while loading, kept structured until the end so issues can be filtered by path. */
export interface ConfigIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * `providers.openai.timeout_ms`, `auth.keys[0].name`. Keys that would make a dotted path
 * ambiguous (model names such as `gpt-4.1` or `org/model`) are quoted in brackets instead.
 */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else {
      const key = String(segment);
      if (PLAIN_KEY.test(key)) text += text === '' ? key : `.${key}`;
      else text += `[${JSON.stringify(key)}]`;
    }
  }
  return text;
}

export function formatIssue(issue: ConfigIssue): string {
  return issue.path.length === 0 ? issue.message : `${formatPath(issue.path)}: ${issue.message}`;
}

/** True when `path` is `prefix` or lies inside it. */
export function isWithin(path: readonly PropertyKey[], prefix: readonly PropertyKey[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, i) => segment === path[i]);
}
