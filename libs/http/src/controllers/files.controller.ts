import { Readable } from 'node:stream';
import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { CursorPage, DeletedFile, FileObject } from '@switchyard/contracts';
import { FileStore, ListFiles, UploadFile, toFileObject } from '@switchyard/files';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentPrincipal, type Principal } from '../auth/principal';
import { uploadParts } from './multipart-upload';
import { ApiErrors, ApiKeyAuth, OPENAI_REFERENCE } from '../openapi/api-docs.decorators';

/** OpenAI's Files API; every file belongs to the API key that uploaded it (or whose batch wrote it). */
@Controller('v1/files')
@ApiTags('openai')
@ApiKeyAuth()
export class FilesController {
  constructor(
    private readonly uploadFile: UploadFile,
    private readonly listFiles: ListFiles,
    private readonly files: FileStore,
    private readonly config: SwitchyardConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Upload a file (purpose batch: JSONL checked line by line)', description: `OpenAI's Files API (${OPENAI_REFERENCE}/files/create).` })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', required: ['file', 'purpose'], properties: { file: { type: 'string', format: 'binary' }, purpose: { type: 'string', example: 'batch' } } } })
  @ApiOkResponse({ description: 'The file object.' })
  @ApiErrors(400, 413, 415)
  upload(@Req() request: FastifyRequest, @CurrentPrincipal() principal: Principal): Promise<FileObject> {
    return this.uploadFile.execute(principal.name, uploadParts(request, this.config.files.maxBytes));
  }

  @Get()
  @ApiOperation({ summary: "The key's files, newest first" })
  @ApiQuery({ name: 'purpose', required: false })
  @ApiQuery({ name: 'after', required: false })
  @ApiQuery({ name: 'limit', required: false, type: Number })
  @ApiQuery({ name: 'order', required: false, enum: ['asc', 'desc'] })
  @ApiOkResponse({ description: 'A cursor page of file objects.' })
  @ApiErrors(400)
  list(@Query() query: Record<string, string | undefined>, @CurrentPrincipal() principal: Principal): Promise<CursorPage<FileObject>> {
    return this.listFiles.execute({ owner: principal.name, purpose: query.purpose, after: query.after, limit: query.limit, order: query.order });
  }

  @Get(':id')
  @ApiOperation({ summary: 'One file' })
  @ApiOkResponse({ description: 'The file object.' })
  @ApiErrors(404)
  async get(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<FileObject> {
    return toFileObject(await this.files.findOwned(id, principal.name));
  }

  /** Streamed from Redis a piece at a time, whatever the file's size. */
  @Get(':id/content')
  @ApiOperation({ summary: "A file's bytes, streamed" })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The content.' })
  @ApiErrors(404)
  async content(@Param('id') id: string, @CurrentPrincipal() principal: Principal, @Res() reply: FastifyReply): Promise<void> {
    const file = await this.files.findOwned(id, principal.name);
    await reply.type('application/octet-stream').header('content-length', file.bytes).send(Readable.from(this.files.content(file)));
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a file' })
  @ApiOkResponse({ description: '{"id","object":"file","deleted":true}' })
  @ApiErrors(404)
  async delete(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<DeletedFile> {
    await this.files.delete(await this.files.findOwned(id, principal.name));
    return { id, object: 'file', deleted: true };
  }
}
