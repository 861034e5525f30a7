import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';

/**
 * A check returns null when the value is fine, or the reason it is not (e.g. "must be a string").
 * It also sees the object holding the value, for rules that depend on a sibling field.
 */
export type ShapeCheck = (value: unknown, holder: object) => string | null;

/**
 * For fields whose shape is a union class-validator cannot express with decorators
 * (string-or-array content, tool_choice, stop): the check states the rule in plain code.
 */
export function Satisfies(check: ShapeCheck, options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    let reason: string | null = null;
    registerDecorator({
      name: `satisfies:${check.name}`,
      target: target.constructor,
      propertyName: String(propertyName),
      options,
      validator: {
        validate(value: unknown, args?: ValidationArguments) {
          reason = check(value, args?.object ?? {});
          return reason === null;
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property} ${reason ?? 'is invalid'}`;
        },
      },
    });
  };
}

export const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Names the first key of `value` outside `allowed`, so unknown fields are refused inside union shapes too. */
export function unknownKey(value: Record<string, unknown>, allowed: readonly string[]): string | null {
  const extra = Object.keys(value).find((key) => !allowed.includes(key));
  return extra === undefined ? null : `has unknown field '${extra}'`;
}
