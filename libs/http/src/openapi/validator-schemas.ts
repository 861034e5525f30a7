import type { SchemaObject } from '@nestjs/swagger';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { ValidationTypes } from 'class-validator';
import { targetConstructorToSchema, validationMetadatasToSchemas } from 'class-validator-jsonschema';

const OPTIONS: Parameters<typeof validationMetadatasToSchemas>[0] = {
  classTransformerMetadataStorage: defaultMetadataStorage,
  refPointerPrefix: '#/components/schemas/',
  // Fields checked by a custom rule (@Satisfies: unions such as `stop` or `tool_choice`) stay
  // open schemas; their detail is in the provider's own reference.
  additionalConverters: { [ValidationTypes.CUSTOM_VALIDATION]: {} },
};

/** Where a DTO's nested DTOs are named, so its schema's $refs can be followed. */
function reachable(roots: Record<string, SchemaObject>, named: Record<string, SchemaObject>): Record<string, SchemaObject> {
  const picked: Record<string, SchemaObject> = {};
  const visit = (name: string, schema: SchemaObject | undefined): void => {
    if (!schema || picked[name]) return;
    picked[name] = schema;
    for (const [, ref] of JSON.stringify(schema).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) visit(ref, named[ref]);
  };
  Object.entries(roots).forEach(([name, schema]) => visit(name, schema));
  return picked;
}

/**
 * JSON schemas of request DTOs and the DTOs they nest, read from their class-validator rules,
 * so the description cannot drift from what validateBody enforces.
 */
export function validatorSchemas(dtos: Iterable<new () => object>): Record<string, SchemaObject> {
  const roots: Record<string, SchemaObject> = {};
  // Per class, not by name: a DTO made only of mixin fields has no rules under its own name.
  for (const dto of dtos) roots[dto.name] = targetConstructorToSchema(dto, OPTIONS) as SchemaObject;
  return reachable(roots, validationMetadatasToSchemas(OPTIONS) as Record<string, SchemaObject>);
}
