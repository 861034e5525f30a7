import { Readable } from 'node:stream';
import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { CursorPage, DeletedFile, FileObject } from '@switchyard/contracts';
import { FileStore, ListFiles, UploadFile, toFileObject } from '@switchyard/files';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { uploadParts } from './multipart-upload';

/** OpenAI's Files API; every file belongs to the API key that uploaded it (or whose batch wrote it). */
@Controller('v1/files')
export class FilesController {
  constructor(
    private readonly uploadFile: UploadFile,
    private readonly listFiles: ListFiles,
    private readonly files: FileStore,
    private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(200)
  upload(@Req() request: FastifyRequest, @CurrentPrincipal() principal: Principal): Promise<FileObject> {
    return this.uploadFile.execute(principal.name, uploadParts(request, this.config.files.maxBytes));
  }

  @Get()
  list(@Query() query: Record<string, string | undefined>, @CurrentPrincipal() principal: Principal): Promise<CursorPage<FileObject>> {
    return this.listFiles.execute({ owner: principal.name, purpose: query.purpose, after: query.after, limit: query.limit, order: query.order });
  }

  @Get(':id')
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<FileObject> {
    return toFileObject(await this.files.findOwned(id, principal.name));
  }

  /** Streamed from Redis a piece at a time, whatever the file's size. */
  @Get(':id/content')
  async content(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.files.findOwned(id, principal.name);
    await reply.type('application/octet-stream').header('content-length', file.bytes).send(Readable.from(this.files.content(file)));
  }

  @Delete(':id')
  async delete(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<DeletedFile> {
    await this.files.delete(await this.files.findOwned(id, principal.name));
    return { id, object: 'file', deleted: true };
  }
}
