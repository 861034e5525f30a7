/**
 * Removes every occurrence of a configured key from provider-supplied text. scrubSecrets only knows
 * key-like shapes; a key of any other shape (a proxy's password, a custom token) would slip through,
 * so the exact value is replaced too, including its JSON-escaped form as it appears inside a body.
 */
export function redactKey(text: string, key: string | undefined): string {
  if (!key) return text;
  let result = text.split(key).join('[redacted]');
  const escaped = JSON.stringify(key).slice(1, -1);
  if (escaped !== key) result = result.split(escaped).join('[redacted]');
  return result;
}
