import { Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { RoutingModule } from '@switchyard/routing';
import { AdminAccess } from './admin/admin-access';
import { ApiKeyAuthenticator } from './auth/api-key-authenticator';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ContractValidationPipe } from './contract-validation.pipe';
import { AdminKeysController } from './controllers/admin-keys.controller';
import { BatchesController } from './controllers/batches.controller';
import { FilesController } from './controllers/files.controller';
import { ChatCompletionsController } from './controllers/chat-completions.controller';
import { EmbeddingsController } from './controllers/embeddings.controller';
import { HealthController } from './controllers/health.controller';
import { JobsController } from './controllers/jobs.controller';
import { MetricsController } from './controllers/metrics.controller';
import { MessagesController } from './controllers/messages.controller';
import { ModelsController } from './controllers/models.controller';
import { ProvidersController } from './controllers/providers.controller';
import { UsageController } from './controllers/usage.controller';
import { HttpErrorFilter } from './http-error.filter';

/** The HTTP surface. Expects ConfigModule and JobsModule in the app's root module. */
@Module({
  imports: [RoutingModule],
  controllers: [ChatCompletionsController, EmbeddingsController, JobsController, MessagesController, ModelsController, ProvidersController, HealthController, MetricsController, FilesController, BatchesController, AdminKeysController, UsageController],
  providers: [
    ApiKeyAuthenticator,
    AdminAccess,
    { provide: APP_GUARD, useClass: ApiKeyGuard },
    { provide: APP_FILTER, useClass: HttpErrorFilter },
    { provide: APP_PIPE, useClass: ContractValidationPipe },
  ],
  exports: [ApiKeyAuthenticator, AdminAccess],
})
export class HttpApiModule {}
