import { AssertionError } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020, { type ErrorObject } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { repoRoot } from './processes';

/** The OpenAPI description of the OpenAI API (issue 6: "match its shapes"); it lives next to the repo, not in it. */
/**
 * OpenAI's own API description (MIT, see the LICENSE beside it), copied from the team's
 * ../shared/specs so a clone anywhere runs the checks; refresh it from there when it changes.
 */
export const OPENAI_SPEC_PATH = join(repoRoot, 'test', 'fixtures', 'openai', 'openai-openapi.yaml');

const SPEC_ID = 'openai-openapi';

/** Keywords whose values are data (examples, defaults, enum members), not schemas: left as they are. */
const DATA_KEYWORDS = new Set(['example', 'examples', 'default', 'enum', 'const']);
/** Keywords whose values map names to schemas: the names are not keywords. */
const SCHEMA_MAP_KEYWORDS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

type SchemaMap = Record<string, unknown>;

function isObject(value: unknown): value is SchemaMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function normalizeMap(map: SchemaMap): SchemaMap {
  return Object.fromEntries(Object.entries(map).map(([name, schema]) => [name, normalizeSchema(schema)]));
}

/**
 * The spec is OpenAPI 3.1 (JSON Schema 2020-12) with some OpenAPI 3.0 `nullable: true` left over,
 * often beside a `$ref` or an `anyOf` with no `type`, where Ajv refuses it, and beside an `enum`,
 * where Ajv's own support would still reject null. Rewritten as 3.0 meant it: the schema, or null.
 */
function normalizeSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeSchema);
  if (!isObject(node)) return node;
  const out: SchemaMap = {};
  for (const [key, value] of Object.entries(node)) {
    if (DATA_KEYWORDS.has(key) || key.startsWith('x-')) out[key] = value;
    else if (SCHEMA_MAP_KEYWORDS.has(key) && isObject(value)) out[key] = normalizeMap(value);
    else out[key] = normalizeSchema(value);
  }
  if (typeof out.nullable !== 'boolean') return out;
  const { nullable, ...schema } = out;
  return nullable ? { anyOf: [schema, { type: 'null' }] } : schema;
}

function loadValidator(): Ajv2020 {
  if (!existsSync(OPENAI_SPEC_PATH)) {
    throw new Error(
      `OpenAI schema checks: ${OPENAI_SPEC_PATH} does not exist. Response bodies are checked against ` +
        `test/fixtures/openai/openai-openapi.yaml; copy it from ../shared/specs.`,
    );
  }
  const spec: unknown = parse(readFileSync(OPENAI_SPEC_PATH, 'utf8'));
  const schemas = isObject(spec) && isObject(spec.components) ? spec.components.schemas : undefined;
  if (!isObject(schemas)) throw new Error(`OpenAI schema checks: ${OPENAI_SPEC_PATH} has no components.schemas`);
  // strict: false lets the OpenAPI and vendor keywords through (discriminator, example, x-oaiMeta, x-stainless-*).
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('unixtime', { type: 'number', validate: (seconds: number) => Number.isInteger(seconds) && seconds >= 0 });
  // One document under its own id, so `$ref: '#/components/schemas/X'` resolves as written. Ajv compiles
  // a schema on its first getSchema() and keeps it: each test process pays only for the names it uses.
  ajv.addSchema({ $id: SPEC_ID, components: { schemas: normalizeMap(schemas) } });
  return ajv;
}

let validator: Ajv2020 | undefined;

function describeViolation(error: ErrorObject): string {
  const where = error.instancePath === '' ? '(body)' : error.instancePath;
  return `${where} ${error.message ?? 'is invalid'} ${JSON.stringify(error.params)} at ${error.schemaPath}`;
}

function excerpt(body: unknown): string {
  const text = JSON.stringify(body) ?? String(body);
  return text.length > 2_000 ? `${text.slice(0, 2_000)}…` : text;
}

/**
 * Throws an AssertionError listing every way `body` departs from `components.schemas[schemaName]` of
 * the OpenAI OpenAPI description (e.g. 'CreateChatCompletionResponse', 'ErrorResponse', 'Batch').
 * Extra fields pass where the spec allows them, as it mostly does.
 */
export function assertMatchesOpenAISchema(body: unknown, schemaName: string): void {
  validator ??= loadValidator();
  const validate = validator.getSchema(`${SPEC_ID}#/components/schemas/${schemaName}`);
  if (validate === undefined) throw new Error(`OpenAI schema checks: no schema named ${schemaName} in components.schemas of ${OPENAI_SPEC_PATH}`);
  if (validate(body)) return;
  const violations = (validate.errors ?? []).map(describeViolation);
  throw new AssertionError({
    message: `body does not match OpenAI's ${schemaName} (${violations.length} violations):\n  ${violations.join('\n  ')}\nbody: ${excerpt(body)}`,
    actual: body,
    expected: schemaName,
    operator: 'assertMatchesOpenAISchema',
  });
}
