import { Injectable } from '@nestjs/common';
import { SwitchyardConfig } from '@switchyard/config';
import type { BatchEndpoint } from '@switchyard/contracts';
import { FileStore, isBlank, readLines } from '@switchyard/files';

/** A request line of a batch's input. */
export interface InputLine {
  /** 0-based among the request lines: the line's place in the batch. */
  index: number;
  /** 1-based line of the file, blank lines counted: what error messages name. */
  number: number;
  text: string;
}

/** The input file is gone (deleted or expired) before the batch could read it all. */
export class InputFileGoneError extends Error {
  constructor(readonly fileId: string) {
    super(`the input file ${fileId} no longer exists`);
    this.name = 'InputFileGoneError';
  }
}

/** Reads a batch's request lines from its input file, a piece at a time. */
@Injectable()
export class BatchInput {
  constructor(
    private readonly files: FileStore,
    private readonly config: SwitchyardConfig,
  ) {}

  async *lines(fileId: string): AsyncGenerator<InputLine> {
    const file = await this.files.find(fileId);
    if (!file) throw new InputFileGoneError(fileId);
    let index = 0;
    // A line may be as large as a POST /v1/jobs body: it holds one.
    for await (const { text, number } of readLines(this.files.content(file), this.config.server.bodyLimitBytes)) {
      if (isBlank(text)) continue;
      yield { index, number, text };
      index += 1;
    }
  }
}

/**
 * Inline `requests` as the lines of a file, `method` and `url` filled in when left out, so they
 * take the same path as an uploaded file.
 */
export function* inlineLines(requests: ReadonlyArray<Record<string, unknown>>, endpoint: BatchEndpoint): Generator<InputLine> {
  for (const [index, request] of requests.entries()) {
    yield { index, number: index + 1, text: JSON.stringify({ method: 'POST', url: endpoint, ...request }) };
  }
}
