import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import { InvalidRequestError, PayloadTooLargeError, UPLOAD_PURPOSES, type FileObject, type UploadPurpose } from '@switchyard/contracts';
import { toFileObject } from '../file-record';
import { FileStore } from '../file-store';
import type { FileWriter } from '../file-writer';
import { JsonlCheck } from '../jsonl-check';

/** One part of a multipart upload, whatever parsed it. */
export type UploadPart =
  | { kind: 'field'; name: string; value: string }
  | { kind: 'file'; name: string; filename: string; content: AsyncIterable<Buffer> };

const FIELDS = new Set(['purpose', 'expires_after[anchor]', 'expires_after[seconds]']);
const MIN_EXPIRES_AFTER_S = 3600;
const MAX_EXPIRES_AFTER_S = 2_592_000;
const MAX_FILENAME_CHARS = 255;

/**
 * `POST /v1/files`: streams the file into the store with bounded memory and, for `purpose: batch`,
 * checks that every line is a JSON object as it goes. The parts may come in any order: a file
 * before its `purpose` is checked all the same, and refused at the end if it is not JSONL.
 */
@Injectable()
export class UploadFile {
  constructor(
    private readonly store: FileStore,
    private readonly config: SwitchyardConfig,
  ) {}

  async execute(owner: string, parts: AsyncIterable<UploadPart>): Promise<FileObject> {
    const fields = new Map<string, string>();
    let writer: FileWriter | undefined;
    let check: JsonlCheck | undefined;
    let filename = 'upload';
    try {
      for await (const part of parts) {
        if (part.kind === 'field') {
          if (!FIELDS.has(part.name)) throw new InvalidRequestError(`Unrecognized request argument supplied: ${part.name}`, part.name);
          fields.set(part.name, part.value);
          continue;
        }
        if (part.name !== 'file') throw new InvalidRequestError(`Unexpected file field '${part.name}'; send the file as 'file'.`, part.name);
        if (writer) throw new InvalidRequestError('Send one file per upload.', 'file');
        writer = this.store.create(this.config.files.ttlS);
        filename = part.filename || filename;
        check = await this.receive(part.content, writer, fields.get('purpose'));
      }
      if (!writer || !check) throw new InvalidRequestError("No file in the upload: send it as the multipart field 'file'.", 'file', 'missing_required_parameter');
      const purpose = purposeOf(fields.get('purpose'));
      if (purpose === 'batch') refuseBadLine(check);
      const record = await writer.commit({
        owner,
        purpose,
        filename: filename.slice(0, MAX_FILENAME_CHARS),
        ttlS: this.ttlOf(fields),
        lines: purpose === 'batch' ? check.lines : 0,
      });
      return toFileObject(record);
    } catch (error) {
      await writer?.discard();
      throw error;
    }
  }

  private async receive(content: AsyncIterable<Buffer>, writer: FileWriter, purpose: string | undefined): Promise<JsonlCheck> {
    const max = this.config.files.maxBytes;
    // A file that is not for a batch need not be JSONL; with the purpose still unknown it is checked.
    const check = new JsonlCheck(this.config.server.bodyLimitBytes);
    const checking = purpose === undefined || purpose === 'batch';
    for await (const piece of content) {
      if (writer.bytes + piece.length > max) throw new PayloadTooLargeError(max);
      if (checking) {
        check.push(piece);
        if (purpose === 'batch') refuseBadLine(check);
      }
      await writer.write(piece);
    }
    if (checking) check.end();
    return check;
  }

  private ttlOf(fields: Map<string, string>): number {
    const anchor = fields.get('expires_after[anchor]');
    const seconds = fields.get('expires_after[seconds]');
    if (anchor === undefined && seconds === undefined) return this.config.files.ttlS;
    if (anchor !== 'created_at') throw new InvalidRequestError("expires_after[anchor] must be 'created_at'.", 'expires_after.anchor');
    const value = Number(seconds);
    if (!Number.isInteger(value) || value < MIN_EXPIRES_AFTER_S || value > MAX_EXPIRES_AFTER_S) {
      throw new InvalidRequestError(`expires_after[seconds] must be an integer from ${MIN_EXPIRES_AFTER_S} to ${MAX_EXPIRES_AFTER_S}.`, 'expires_after.seconds');
    }
    // The configured retention stays the longest any file is kept.
    return Math.min(value, this.config.files.ttlS);
  }
}

function purposeOf(value: string | undefined): UploadPurpose {
  if (value === undefined) throw new InvalidRequestError("Missing required parameter: 'purpose'.", 'purpose', 'missing_required_parameter');
  if (!(UPLOAD_PURPOSES as readonly string[]).includes(value)) {
    throw new InvalidRequestError(`purpose must be one of: ${UPLOAD_PURPOSES.join(', ')}.`, 'purpose', 'invalid_value');
  }
  return value as UploadPurpose;
}

function refuseBadLine(check: JsonlCheck): void {
  if (!check.problem) return;
  const { line, message } = check.problem;
  throw new InvalidRequestError(`Line ${line} of the file ${message}; each line of a batch file must be a JSON object.`, 'file', 'invalid_jsonl');
}
