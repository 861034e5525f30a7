/** A line longer than the limit: reading on would hold it all in memory. */
export class LineTooLongError extends Error {
  constructor(
    readonly line: number,
    readonly maxBytes: number,
  ) {
    super(`line ${line} is longer than ${maxBytes} bytes`);
    this.name = 'LineTooLongError';
  }
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;

/**
 * Cuts a byte stream into lines at '\n' (a '\r' before it is dropped), numbered from 1, holding at
 * most one line in memory. Lines are decoded only once whole, so a UTF-8 character split across
 * two pieces of the stream stays intact.
 */
export class LineSplitter {
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private number = 0;

  constructor(
    private readonly maxLineBytes: number,
    private readonly onLine: (text: string, number: number) => void,
  ) {}

  push(piece: Buffer): void {
    let start = 0;
    for (let end = piece.indexOf(NEWLINE); end !== -1; end = piece.indexOf(NEWLINE, start)) {
      this.take(piece.subarray(start, end));
      this.emit();
      start = end + 1;
    }
    if (start < piece.length) this.take(piece.subarray(start));
  }

  /** The last line, when the stream does not end with a newline. */
  end(): void {
    if (this.carryBytes > 0) this.emit();
  }

  private take(part: Buffer): void {
    this.carryBytes += part.length;
    if (this.carryBytes > this.maxLineBytes + 1) throw new LineTooLongError(this.number + 1, this.maxLineBytes);
    this.carry.push(part);
  }

  private emit(): void {
    let line = this.carry.length === 1 ? this.carry[0] : Buffer.concat(this.carry, this.carryBytes);
    if (line.length > 0 && line[line.length - 1] === CARRIAGE_RETURN) line = line.subarray(0, -1);
    if (line.length > this.maxLineBytes) throw new LineTooLongError(this.number + 1, this.maxLineBytes);
    this.carry = [];
    this.carryBytes = 0;
    this.number += 1;
    this.onLine(line.toString('utf8'), this.number);
  }
}

export interface NumberedLine {
  text: string;
  /** 1-based, counting every line of the file, blank ones too. */
  number: number;
}

/** The lines of a stream of pieces, as they come. */
export async function* readLines(pieces: AsyncIterable<Buffer>, maxLineBytes: number): AsyncGenerator<NumberedLine> {
  let ready: NumberedLine[] = [];
  const splitter = new LineSplitter(maxLineBytes, (text, number) => ready.push({ text, number }));
  for await (const piece of pieces) {
    splitter.push(piece);
    const lines = ready;
    ready = [];
    yield* lines;
  }
  splitter.end();
  yield* ready;
}
