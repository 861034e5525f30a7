import type { FastifyInstance } from 'fastify';
import type { FamilyRouteDeps } from '../mock-call';
import { registerAnthropicRoutes } from './anthropic-routes';
import { registerBedrockRoutes } from './bedrock-routes';
import { registerAzureOpenAIRoutes } from './azure-openai-routes';
import { registerOpenAICompatibleRoutes } from './openai-compatible-routes';
import { registerOpenAIEmbeddings } from './openai-embeddings-route';
import { registerCohereRoutes } from './cohere-routes';
import { registerOllamaRoutes } from './ollama-routes';
import { registerGeminiRoutes } from './gemini-routes';

/** Each provider family's endpoints, one line per family. */
const FAMILY_ROUTES: Array<(app: FastifyInstance, deps: FamilyRouteDeps) => void> = [
  registerAnthropicRoutes,
  registerBedrockRoutes,
  registerOpenAIEmbeddings,
  registerAzureOpenAIRoutes,
  registerOpenAICompatibleRoutes,
  registerCohereRoutes,
  registerOllamaRoutes,
  registerGeminiRoutes,
];

export function registerFamilyRoutes(app: FastifyInstance, deps: FamilyRouteDeps): void {
  for (const register of FAMILY_ROUTES) register(app, deps);
}
