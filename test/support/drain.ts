/** Reads a stream to its end; `seen` keeps what arrived before a failure, for the test to inspect. */
export async function drain<T>(stream: AsyncIterable<T>, seen: T[] = []): Promise<T[]> {
  for await (const item of stream) seen.push(item);
  return seen;
}
