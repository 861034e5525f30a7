import type { Multipart } from '@fastify/multipart';
import { InvalidRequestError, PayloadTooLargeError } from '@switchyard/contracts';
import type { UploadPart } from '@switchyard/files';
import type { FastifyRequest } from 'fastify';

/** @fastify/multipart's errors (a file over the size cap, a malformed body) as our error classes. */
function uploadError(error: unknown, maxBytes: number): unknown {
  const { code, statusCode, message } = error as { code?: string; statusCode?: number; message?: string };
  if (code === 'FST_REQ_FILE_TOO_LARGE') return new PayloadTooLargeError(maxBytes);
  // busboy's "Unexpected end of multipart data" carries no status, yet like every parser error it is about the client's bytes.
  if (statusCode === undefined || (statusCode >= 400 && statusCode < 500)) {
    return new InvalidRequestError(`The upload could not be parsed: ${message ?? 'malformed multipart body'}`, 'file', 'invalid_multipart');
  }
  return error;
}

async function* guarded<T>(source: AsyncIterable<T>, maxBytes: number): AsyncGenerator<T> {
  try {
    yield* source;
  } catch (error) {
    throw uploadError(error, maxBytes);
  }
}

/** A multipart request's parts, as the upload use case reads them, in the order they arrive. */
export async function* uploadParts(request: FastifyRequest, maxBytes: number): AsyncGenerator<UploadPart> {
  if (!request.isMultipart()) {
    throw new InvalidRequestError("Send the upload as multipart/form-data with the fields 'purpose' and 'file'.", null, 'invalid_content_type');
  }
  for await (const part of guarded<Multipart>(request.parts(), maxBytes)) {
    if (part.type === 'field') yield { kind: 'field', name: part.fieldname, value: String(part.value) };
    else yield { kind: 'file', name: part.fieldname, filename: part.filename, content: guarded<Buffer>(part.file, maxBytes) };
  }
}
