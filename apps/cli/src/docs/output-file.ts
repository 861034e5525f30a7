import { appendFileSync, closeSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { CSV_COLUMNS, csvRecord, type OutputRow } from './output-row';

export type OutputFormat = 'jsonl' | 'csv';

function encode(rows: readonly OutputRow[], format: OutputFormat, header: boolean): string {
  if (format === 'jsonl') return rows.map((row) => `${JSON.stringify(row)}\n`).join('');
  return stringify(rows.map(csvRecord), { header, columns: header ? [...CSV_COLUMNS] : undefined, cast: { number: String } });
}

/**
 * `--out`: lines are appended as results arrive, so a long run can be read while it goes; when the
 * run ends the file is rewritten whole, in document and chunk order, from the run state, which
 * also drops any line a killed run wrote twice.
 */
export class OutputFile {
  private fd: number | undefined;

  constructor(
    readonly path: string,
    private readonly format: OutputFormat,
  ) {}

  /** Starts the file over with what is already known (from earlier runs), so appends follow it. */
  begin(rows: readonly OutputRow[]): void {
    this.rewrite(rows);
    this.fd = openSync(this.path, 'a');
  }

  append(row: OutputRow): void {
    this.fd ??= openSync(this.path, 'a');
    appendFileSync(this.fd, encode([row], this.format, false));
  }

  /** Replaces the file atomically (write aside, rename), so a crash never leaves half of it. */
  rewrite(rows: readonly OutputRow[]): void {
    this.close();
    const aside = `${this.path}.partial`;
    writeFileSync(aside, encode(rows, this.format, this.format === 'csv'));
    renameSync(aside, this.path);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
