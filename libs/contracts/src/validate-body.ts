import { plainToInstance, type ClassConstructor } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import { InvalidRequestError } from './errors';
import { isPlainObject } from './satisfies.decorator';

function childPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

function firstProblem(errors: ValidationError[], parent = ''): { path: string; message: string } | null {
  for (const error of errors) {
    const path = childPath(parent, error.property);
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) {
      return { path, message: `Unrecognized request argument supplied: ${path}` };
    }
    const first = Object.values(constraints)[0];
    if (first !== undefined) {
      // class-validator phrases messages as "<property> must ..."; name the whole path instead.
      const reason = first.startsWith(error.property) ? first.slice(error.property.length).trimStart() : first;
      return { path, message: `${path}: ${reason}` };
    }
    const nested = firstProblem(error.children ?? [], path);
    if (nested) return nested;
  }
  return null;
}

/**
 * Turns an untrusted JSON body into a validated DTO instance: whitelist on, unknown fields
 * refused, first problem reported with its full path as the OpenAI error's `param`.
 */
export function validateBody<T extends object>(dto: ClassConstructor<T>, body: unknown): T {
  if (!isPlainObject(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const instance = plainToInstance(dto, body, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const problem = firstProblem(errors);
  if (problem) throw new InvalidRequestError(problem.message, problem.path);
  return instance;
}
