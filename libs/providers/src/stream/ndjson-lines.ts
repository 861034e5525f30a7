import { ProviderError } from '../provider-error';

const MAX_LINE_CHARS = 8 * 1024 * 1024;

/**
 * The lines of a newline-delimited JSON stream, as text (blank lines skipped). A last line without
 * its newline is still a line: NDJSON, unlike SSE, has no end-of-record marker beyond it.
 */
export async function* ndjsonLines(body: AsyncIterable<Uint8Array>, provider: string): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of body) {
    buffered += decoder.decode(bytes, { stream: true });
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    if (buffered.length > MAX_LINE_CHARS) throw new ProviderError('bad_response', `${provider} sent a stream line over ${MAX_LINE_CHARS} characters`);
    for (const line of lines) if (line.trim() !== '') yield line;
  }
  buffered += decoder.decode();
  if (buffered.trim() !== '') yield buffered;
}
