import fc from 'fast-check';
import { headerValue, hostileString } from './hostile-values';
import type { FuzzRequest } from './requests';

const CRLF = '\r\n';

/** A JSONL line for a batch file: valid, or broken in one of the ways real files are. */
const jsonlLine: fc.Arbitrary<string | Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 10 }).map((id) => JSON.stringify({ custom_id: id, method: 'POST', url: '/v1/chat/completions', body: { model: 'mock-echo', messages: [{ role: 'user', content: id }] } })) },
  fc.constantFrom('', ' ', '{}', '[]', 'null', '"line"', '{"custom_id":', '{"custom_id":"a"}', '{"body":{}}', '{"custom_id":"a","url":"/v1/nowhere","body":{}}', '\uFEFF{"custom_id":"bom"}', '{"__proto__":{"x":1}}'),
  hostileString,
  fc.integer({ min: 10_000, max: 40_000 }).map((length) => JSON.stringify({ custom_id: 'huge', body: { model: 'mock-echo', messages: [{ role: 'user', content: 'y'.repeat(length) }] } })),
  fc.uint8Array({ minLength: 1, maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
);

/** A line no batch file may hold; the invalid-only run puts one in every file. */
const brokenLine = fc.constantFrom('{"custom_id":', 'not json', '[1,2,3]', '"a string"', '{"a":1}}');

function joinLines(lines: Array<string | Buffer>, separator: string, trailing: boolean): Buffer {
  const pieces = lines.flatMap((line, index) => (index === 0 ? [line] : [separator, line]));
  if (trailing) pieces.push(separator);
  return Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece)));
}

type Framing = 'ok' | 'unterminated' | 'no-boundary-param' | 'wrong-boundary' | 'not-multipart';

interface UploadShape {
  purpose: string | undefined;
  filename: string | undefined;
  fieldName: string;
  content: Buffer;
  framing: Framing;
  extraField: [string, string] | undefined;
}

function multipart(shape: UploadShape, boundary: string): { body: Buffer; contentType: string } {
  const parts: Buffer[] = [];
  const open = (headers: string): void => {
    parts.push(Buffer.from(`--${boundary}${CRLF}${headers}${CRLF}${CRLF}`));
  };
  if (shape.purpose !== undefined) {
    open('Content-Disposition: form-data; name="purpose"');
    parts.push(Buffer.from(`${shape.purpose}${CRLF}`));
  }
  if (shape.extraField) {
    open(`Content-Disposition: form-data; name="${shape.extraField[0]}"`);
    parts.push(Buffer.from(`${shape.extraField[1]}${CRLF}`));
  }
  const filename = shape.filename === undefined ? '' : `; filename="${shape.filename}"`;
  open(`Content-Disposition: form-data; name="${shape.fieldName}"${filename}${CRLF}Content-Type: application/jsonl`);
  parts.push(shape.content, Buffer.from(CRLF));
  if (shape.framing !== 'unterminated') parts.push(Buffer.from(`--${boundary}--${CRLF}`));
  const body = Buffer.concat(parts);
  switch (shape.framing) {
    case 'no-boundary-param':
      return { body, contentType: 'multipart/form-data' };
    case 'wrong-boundary':
      return { body, contentType: `multipart/form-data; boundary=${boundary}x` };
    case 'not-multipart':
      return { body, contentType: 'application/jsonl' };
    default:
      return { body, contentType: `multipart/form-data; boundary=${boundary}` };
  }
}

const quotedSafe = fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._-/\\ '), maxLength: 30 });

/**
 * Multipart uploads to POST /v1/files: JSONL with bad lines, CRLF, huge lines, binary or nothing,
 * odd purposes and filenames, and broken multipart framing. With `invalidOnly`, every upload is one
 * the gateway must refuse (a batch file with a broken line, a bad purpose, no file, or bad framing).
 */
export function uploadRequest(options: { invalidOnly: boolean }): fc.Arbitrary<FuzzRequest> {
  const lines = fc.array(jsonlLine, { maxLength: 8 });
  const content = options.invalidOnly
    ? fc.tuple(lines, brokenLine, fc.nat()).map(([some, broken, at]) => {
        const copy = [...some];
        copy.splice(at % (copy.length + 1), 0, broken);
        return copy;
      })
    : lines;
  const purpose = options.invalidOnly
    ? fc.oneof(fc.constant('batch'), fc.constant(undefined), quotedSafe.filter((value) => !['batch', 'batch_output', 'user_data'].includes(value)))
    : fc.oneof({ weight: 3, arbitrary: fc.constant('batch') }, fc.constantFrom('user_data', 'batch_output', undefined), quotedSafe);
  return fc
    .record({
      purpose,
      filename: fc.oneof(fc.constant('input.jsonl'), quotedSafe, fc.constant(undefined)),
      fieldName: fc.oneof({ weight: 5, arbitrary: fc.constant('file') }, fc.constantFrom('files', 'upload', '')),
      content: fc.tuple(content, fc.constantFrom('\n', CRLF, '\r'), fc.boolean()).map(([some, separator, trailing]) => joinLines(some, separator, trailing)),
      framing: fc.oneof({ weight: 5, arbitrary: fc.constant<Framing>('ok') }, fc.constantFrom<Framing>('unterminated', 'no-boundary-param', 'wrong-boundary', 'not-multipart')),
      extraField: fc.option(fc.tuple(fc.constantFrom('expires_after[anchor]', 'expires_after[seconds]', 'api_base', 'purpose'), quotedSafe), { nil: undefined, freq: 5 }),
      boundary: fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 8, maxLength: 40 }),
      idempotency: fc.option(headerValue, { nil: undefined }),
    })
    .map(({ boundary, idempotency, ...shape }) => {
      const { body, contentType } = multipart(shape, boundary);
      const headers: Record<string, string> = { 'content-type': contentType };
      if (idempotency !== undefined) headers['idempotency-key'] = idempotency;
      return { endpoint: 'POST /v1/files', method: 'POST', path: '/v1/files', body, headers, caller: 'tenant' as const };
    });
}
