import { LineSplitter, LineTooLongError } from './line-splitter';

export interface LineProblem {
  /** 1-based line of the file. */
  line: number;
  message: string;
}

/** True for a line that holds nothing: JSONL readers skip those. */
export const isBlank = (text: string): boolean => text.trim().length === 0;

/** Why a line is not a JSON object, or null when it is one. */
export function jsonObjectProblem(text: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON (${(error as Error).message})`;
  }
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? null : 'is not a JSON object';
}

/**
 * Checks, piece by piece as an upload streams, that every non-blank line is a JSON object. It
 * stops working at the first problem, so an upload that turns out not to be JSONL (a purpose
 * other than batch) costs little.
 */
export class JsonlCheck {
  problem: LineProblem | null = null;
  /** Non-blank lines seen so far. */
  lines = 0;
  private readonly splitter: LineSplitter;

  constructor(maxLineBytes: number) {
    this.splitter = new LineSplitter(maxLineBytes, (text, line) => this.check(text, line));
  }

  push(piece: Buffer): void {
    this.guard(() => this.splitter.push(piece));
  }

  end(): void {
    this.guard(() => this.splitter.end());
  }

  private guard(step: () => void): void {
    if (this.problem) return;
    try {
      step();
    } catch (error) {
      if (!(error instanceof LineTooLongError)) throw error;
      this.problem = { line: error.line, message: `is longer than ${error.maxBytes} bytes` };
    }
  }

  private check(text: string, line: number): void {
    if (this.problem || isBlank(text)) return;
    this.lines += 1;
    const message = jsonObjectProblem(text);
    if (message) this.problem = { line, message };
  }
}
