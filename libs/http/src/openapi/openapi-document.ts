import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { API_KEY_HEADER_SCHEME, ERROR_SCHEMA, REQUEST_DTOS } from './api-docs.decorators';
import { validatorSchemas } from './validator-schemas';

export const OPENAPI_JSON_PATH = 'openapi.json';
export const OPENAPI_UI_PATH = 'docs';

function buildDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('Switchyard')
    .setDescription(
      'Asynchronous LLM job gateway. Jobs and batches are queued per provider, rate limited and rerouted on failure. ' +
        'The OpenAI-compatible endpoints (chat completions, embeddings, files, batches) and the Anthropic Messages endpoint ' +
        "accept those APIs' bodies; their providers' references hold the full field detail.",
    )
    // 3.1 is JSON Schema proper: the derived schemas use its numeric exclusiveMinimum.
    .setOpenAPIVersion('3.1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key from auth.keys or POST /admin/keys.' })
    .addApiKey({ type: 'apiKey', in: 'header', name: 'x-api-key' }, API_KEY_HEADER_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, info);
  // Swagger reads property types from its own decorators; ours are class-validator rules, so the
  // body schemas it listed (empty) are replaced by the ones derived from those rules.
  const schemas = { ...document.components?.schemas, ...validatorSchemas(REQUEST_DTOS), Error: ERROR_SCHEMA };
  document.components = { ...document.components, schemas };
  return document;
}

/** Serves the OpenAPI description at /openapi.json and Swagger UI at /docs, outside the API-key guard. */
export function setupOpenApi(app: INestApplication): void {
  // Built on first request, so every controller registered by then is described.
  SwaggerModule.setup(OPENAPI_UI_PATH, app, () => buildDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'Switchyard API',
  });
}
