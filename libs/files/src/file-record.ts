import { newUlid, NotFoundError, type FileObject, type FilePurpose } from '@switchyard/contracts';

/** A stored file. Timestamps are Unix milliseconds. */
export interface FileRecord {
  id: string;
  /** The API key name that uploaded the file (or whose batch wrote it); only it may read it. */
  owner: string;
  purpose: FilePurpose;
  filename: string;
  bytes: number;
  /** Non-blank lines, counted for JSONL files (batch input and output); 0 otherwise. */
  lines: number;
  chunks: number;
  createdAt: number;
  expiresAt: number;
}

const FILE_ID = /^file-[0-9A-HJKMNP-TV-Z]{26}$/;

/** OpenAI's ids look like `file-abc123`; a ULID keeps them in creation order. */
export const newFileId = (): string => `file-${newUlid()}`;

export const isFileId = (value: string): boolean => FILE_ID.test(value);

/** Someone else's file and no file at all look the same from outside. */
export function fileNotFound(id: string, param = 'file_id'): NotFoundError {
  return new NotFoundError(`No file with id '${id}'.`, 'file_not_found', param);
}

export function recordToHash(record: FileRecord): Record<string, string> {
  return {
    owner: record.owner,
    purpose: record.purpose,
    filename: record.filename,
    bytes: String(record.bytes),
    lines: String(record.lines),
    chunks: String(record.chunks),
    created_at: String(record.createdAt),
    expires_at: String(record.expiresAt),
  };
}

export function recordFromHash(id: string, hash: Record<string, string>): FileRecord | null {
  if (hash.owner === undefined) return null;
  return {
    id,
    owner: hash.owner,
    purpose: hash.purpose as FilePurpose,
    filename: hash.filename,
    bytes: Number(hash.bytes),
    lines: Number(hash.lines),
    chunks: Number(hash.chunks),
    createdAt: Number(hash.created_at),
    expiresAt: Number(hash.expires_at),
  };
}

export function toFileObject(record: FileRecord): FileObject {
  return {
    id: record.id,
    object: 'file',
    bytes: record.bytes,
    created_at: Math.floor(record.createdAt / 1000),
    expires_at: Math.floor(record.expiresAt / 1000),
    filename: record.filename,
    purpose: record.purpose,
    status: 'processed',
  };
}
