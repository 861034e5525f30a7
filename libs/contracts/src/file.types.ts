import type { ListObject } from './model.types';

/** Purposes a client may upload a file for; `batch_output` files are written by the gateway. */
export const UPLOAD_PURPOSES = ['batch', 'user_data'] as const;
export type UploadPurpose = (typeof UPLOAD_PURPOSES)[number];
export type FilePurpose = UploadPurpose | 'batch_output';

/** OpenAI's file object (`GET /v1/files/:id`). Timestamps are Unix seconds. */
export interface FileObject {
  id: string;
  object: 'file';
  bytes: number;
  created_at: number;
  /** Files are kept `files.ttl_s` (or the upload's `expires_after`), then deleted. */
  expires_at: number;
  filename: string;
  purpose: FilePurpose;
  /** OpenAI's deprecated field; a file is complete once it can be read. */
  status: 'processed';
}

/** A page of a list, OpenAI's cursor style: ask for the next one with `after=<last_id>`. */
export interface CursorPage<T> extends ListObject<T> {
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

export interface DeletedFile {
  id: string;
  object: 'file';
  deleted: true;
}
