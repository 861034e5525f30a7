import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { BatchError, BatchStatus } from '@switchyard/contracts';
import { LineTooLongError } from '@switchyard/files';
import { BatchInput, InputFileGoneError } from './batch-input';
import { BatchLineChecker } from './batch-line-checker';
import type { BatchRecord } from './batch-record';
import { BatchStore } from './batch-store';

/** Past this many, a batch's errors are not worth listing: the input needs fixing anyway. */
export const MAX_REPORTED_ERRORS = 100;

export type ValidationOutcome = { kind: 'failed'; errors: BatchError[] } | { kind: 'started'; status: BatchStatus | 'missing' };

/**
 * `validating`: reads the whole input once, checking every line as `POST /v1/jobs` checks a body,
 * each custom_id unique, and at most `batches.max_lines` lines. The custom ids are kept in line
 * order (for per-line cancel and to account for lines that never ran).
 */
@Injectable()
export class ValidateBatch {
  constructor(
    private readonly input: BatchInput,
    private readonly checker: BatchLineChecker,
    private readonly store: BatchStore,
    private readonly config: SwitchyardConfig,
  ) {}

  async execute(batch: BatchRecord): Promise<ValidationOutcome> {
    const errors: BatchError[] = [];
    // A repeated validation (a worker that died) starts the list over.
    await this.store.clearCustomIds(batch.id);
    const ids = this.store.customIdWriter(batch.id, Math.ceil((batch.deadline - Date.now()) / 1000) + this.config.files.ttlS);
    const firstLineOf = new Map<string, number>();
    const maxLines = this.config.batches.maxLines;
    let total = 0;
    try {
      for await (const line of this.input.lines(batch.inputFileId)) {
        if (line.index >= maxLines) {
          errors.push({ code: 'too_many_lines', message: `The batch has more than ${maxLines} request lines.`, param: null, line: line.number });
          break;
        }
        total += 1;
        const checked = this.checker.check(line, batch);
        if (!checked.ok) errors.push(checked.error);
        else {
          const first = firstLineOf.get(checked.customId);
          if (first === undefined) firstLineOf.set(checked.customId, line.number);
          else {
            errors.push({
              code: 'duplicate_custom_id',
              message: `Line ${line.number}: custom_id '${checked.customId}' is already used on line ${first}; each line needs its own.`,
              param: 'custom_id',
              line: line.number,
            });
          }
          if (errors.length === 0) await ids.add(checked.customId);
        }
        if (errors.length >= MAX_REPORTED_ERRORS) break;
      }
    } catch (error) {
      if (error instanceof LineTooLongError) errors.push({ code: 'line_too_long', message: `Line ${error.line} is longer than ${error.maxBytes} bytes.`, param: null, line: error.line });
      else if (error instanceof InputFileGoneError) errors.push({ code: 'input_file_not_found', message: `The input file ${batch.inputFileId} was deleted.`, param: 'input_file_id', line: null });
      else throw error;
    }
    if (total === 0 && errors.length === 0) errors.push({ code: 'empty_file', message: 'The input has no request lines.', param: 'input_file_id', line: null });
    if (errors.length > 0) {
      await this.store.clearCustomIds(batch.id);
      await this.store.fail(batch.id, errors);
      return { kind: 'failed', errors };
    }
    await ids.flush();
    return { kind: 'started', status: await this.store.start(batch.id, total) };
  }
}
