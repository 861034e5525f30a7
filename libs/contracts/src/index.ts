// The DTOs' decorators read design-time types; the polyfill must load before any of them.
import 'reflect-metadata';
export * from './chat.types';
export * from './errors';
export * from './job.types';
export * from './model.types';
export * from './embedding.types';
export { CreateEmbeddingJobDto, EMBEDDING_LIMITS } from './create-embedding-job.dto';
export { ChatRequestDto, ChatMessageDto, ToolDto, ToolCallDto } from './chat-request.dto';
export { CreateJobDto, PRIORITY } from './create-job.dto';
export { CHAT_LIMITS } from './chat-shape.checks';
export { validateBody } from './validate-body';
export { newUlid } from './new-ulid';
export { RouteDto, MAX_FALLBACK_MODELS } from './route.dto';
export { MAX_JOB_TIMEOUT_S, WebhookDto } from './delivery.dto';
