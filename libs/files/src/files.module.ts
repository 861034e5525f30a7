import { Global, Module } from '@nestjs/common';
import { FileKeys } from './file-keys';
import { FileStore } from './file-store';
import { ListFiles } from './use-cases/list-files';
import { UploadFile } from './use-cases/upload-file';

const SERVICES = [FileKeys, FileStore, UploadFile, ListFiles];

/**
 * Files in Redis (uploads and batch outputs), readable by every API and worker process. Expects
 * ConfigModule and RedisModule in the app; global, so batches and controllers inject its services.
 */
@Global()
@Module({ providers: SERVICES, exports: SERVICES })
export class FilesModule {}
