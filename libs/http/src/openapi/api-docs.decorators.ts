import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiExtraModels, ApiResponse, ApiSecurity, getSchemaPath, type SchemaObject } from '@nestjs/swagger';

export const API_KEY_HEADER_SCHEME = 'x-api-key';
export const OPENAI_REFERENCE = 'https://platform.openai.com/docs/api-reference';

type Dto = new () => object;

/** Every DTO named as a request body, for the document to fill in from its validation rules. */
export const REQUEST_DTOS = new Set<Dto>();

/**
 * A JSON request body validated by one of these DTOs (by validateBody or the validation pipe).
 * Swagger cannot read class-validator rules, so the document setup derives each schema from them.
 */
export function ApiJsonBody(...dtos: [Dto, ...Dto[]]): MethodDecorator {
  dtos.forEach((dto) => REQUEST_DTOS.add(dto));
  if (dtos.length === 1) return ApiBody({ type: dtos[0] });
  return applyDecorators(ApiExtraModels(...dtos), ApiBody({ schema: { oneOf: dtos.map((dto) => ({ $ref: getSchemaPath(dto) })) } }));
}

/** The OpenAI error shape every endpoint but /v1/messages answers with (HttpErrorFilter). */
export const ERROR_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['message', 'type', 'code', 'param'],
      properties: {
        message: { type: 'string' },
        type: { type: 'string', example: 'invalid_request_error' },
        code: { type: 'string', nullable: true },
        param: { type: 'string', nullable: true },
      },
    },
  },
};

const ERROR_MEANING: Record<number, string> = {
  400: 'The request is invalid; `param` names the field.',
  401: 'Missing or invalid API key.',
  403: 'The key lacks the scope this needs.',
  404: 'Unknown id, or one that belongs to another key.',
  409: 'The request conflicts with the current state.',
  413: 'The body is too large.',
  415: 'The body is not JSON.',
  422: 'No configured provider can serve the request.',
  429: 'A limit of the key was reached; see retry-after.',
  503: 'The gateway is overloaded or Redis is unreachable.',
};

/** Error responses in the OpenAI error shape, one per status. */
export function ApiErrors(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(...statuses.map((status) => ApiResponse({ status, description: ERROR_MEANING[status] ?? 'Error.', schema: ERROR_SCHEMA })));
}

/** A controller whose routes need an API key, as a bearer token or in x-api-key. */
export function ApiKeyAuth(): ClassDecorator {
  return applyDecorators(ApiBearerAuth(), ApiSecurity(API_KEY_HEADER_SCHEME), ApiErrors(401));
}
