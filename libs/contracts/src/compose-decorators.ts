/** Several property decorators as one, so a field's rules are written once and shared by DTOs. */
export function compose(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => decorators.forEach((decorate) => decorate(target, key));
}
