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

/** Deeper than any real request (a tool's JSON schema included); class-transformer recurses once per level. */
const MAX_DEPTH = 64;

/**
 * What class-transformer cannot take, found before it runs: a key named `constructor` (it reads
 * `value.constructor` as the value's class and throws a TypeError) or nesting deep enough to
 * overflow its recursion. Walked with a stack, so the check itself cannot overflow.
 */
function untransformable(body: unknown): { path: string; message: string } | null {
  const pending: Array<{ value: unknown; path: string; depth: number }> = [{ value: body, path: '', depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path, depth } = next;
    if (depth > MAX_DEPTH) return { path, message: `${path}: nested deeper than ${MAX_DEPTH} levels` };
    if (Array.isArray(value)) value.forEach((item, index) => pending.push({ value: item, path: childPath(path, String(index)), depth: depth + 1 }));
    else if (isPlainObject(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (key === 'constructor') return { path: childPath(path, key), message: `Unrecognized request argument supplied: ${childPath(path, key)}` };
        pending.push({ value: child, path: childPath(path, key), depth: depth + 1 });
      }
    }
  }
  return null;
}

/**
 * Turns an untrusted JSON body into a validated DTO instance: whitelist on, unknown fields
 * refused, first problem reported with its full path as the OpenAI error's `param`.
 */
export function validateBody<T extends object>(dto: ClassConstructor<T>, body: unknown): T {
  if (!isPlainObject(body)) throw new InvalidRequestError('The request body must be a JSON object.');
  const refused = untransformable(body);
  if (refused) throw new InvalidRequestError(refused.message, refused.path);
  const instance = plainToInstance(dto, body, { enableImplicitConversion: false });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: true });
  const problem = firstProblem(errors);
  if (problem) throw new InvalidRequestError(problem.message, problem.path);
  return instance;
}
