import fc from 'fast-check';

/** Keys that reach Object.prototype when a parser or a merge is careless. */
export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** Fields a client might use to choose an upstream or its credential (LiteLLM's CVE-2024-6587). */
export const SMUGGLED_KEYS = ['api_base', 'base_url', 'api_key', 'headers', 'extra_headers', 'api_version', 'organization', 'azure_endpoint', 'aws_secret_access_key'] as const;

const printableAscii = fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code));

/** Strings a header may carry (undici refuses control characters before sending, so none are made). */
export const headerValue = fc.oneof(
  fc.string({ unit: printableAscii, maxLength: 40 }),
  fc.string({ unit: printableAscii, minLength: 250, maxLength: 300 }),
  fc.constantFrom('', ' ', '-', '"quoted"', '../../etc/passwd', '${UPSTREAM_KEY}', 'a'.repeat(256), 'a'.repeat(257), 'null', '0'),
);

/** Strings that break naive code: unicode of every plane, lone surrogates, NULs, traversal, templates. */
export const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('', '\u0000', '\uD800', '\uDFFF', '\u202E', '💥'.repeat(40), '../../etc/passwd', '%2e%2e%2f', '${UPSTREAM_KEY}', '{{7*7}}', '<script>', 'http://169.254.169.254/latest/meta-data/', 'mock-echo'),
  fc.integer({ min: 1_000, max: 30_000 }).map((length) => 'x'.repeat(length)),
);

export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 1.5, 1e308, -1e308, 5e-324, 2 ** 53, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 1e30),
);

export const hostileKey = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 12 }) },
  { weight: 1, arbitrary: fc.constantFrom(...PROTOTYPE_KEYS) },
  { weight: 1, arbitrary: fc.constantFrom(...SMUGGLED_KEYS) },
);

/** An object built so that `__proto__` stays an own, serialized key (a literal or a plain assignment would drop it). */
export function objectOf(entries: Array<[string, unknown]>): Record<string, unknown> {
  return Object.fromEntries(entries) as Record<string, unknown>;
}

/** Any JSON value, shallow and wide, made of the hostile pieces above. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 3 },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.array(fc.tuple(hostileKey, tie('value')), { maxLength: 4 }).map(objectOf),
  ),
})).value;

/** `[[[…]]]` or `{"a":{"a":…}}` nested `depth` deep, as a JSON text (30,000 deep still fits a 64 KiB body). */
export const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 30_000 }), fc.boolean())
  .map(([depth, arrays]) => (arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`));
