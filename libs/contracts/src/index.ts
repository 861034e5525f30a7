export * from './chat.types';
export * from './errors';
export * from './job.types';
export * from './model.types';
export { ChatRequestDto, ChatMessageDto, ToolDto, ToolCallDto } from './chat-request.dto';
export { CreateJobDto, PRIORITY } from './create-job.dto';
export { CHAT_LIMITS } from './chat-shape.checks';
export { validateBody } from './validate-body';
