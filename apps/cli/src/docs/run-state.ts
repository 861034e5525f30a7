import { appendFileSync, closeSync, openSync, readFileSync } from 'node:fs';
import type { OutputRow } from './output-row';

type StateEntry = { t: 'job'; id: string; job: string } | { t: 'row'; id: string; row: OutputRow };

/**
 * What a run has sent and got, next to `--out` as `<out>.state`: an append-only JSONL log, written
 * synchronously entry by entry, so a crash or SIGKILL loses at most the line being written (which
 * the next load skips). Keyed by chunk id, so only a rerun with the same arguments finds its entries.
 */
export class RunState {
  private readonly jobs = new Map<string, string>();
  private readonly rows = new Map<string, OutputRow>();
  private fd: number | undefined;

  private constructor(readonly path: string) {}

  static load(path: string): RunState {
    const state = new RunState(path);
    let text = '';
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    for (const line of text.split('\n')) {
      if (line.trim().length === 0) continue;
      let entry: StateEntry;
      try {
        entry = JSON.parse(line) as StateEntry;
      } catch {
        continue; // the torn last line of a killed run
      }
      if (entry.t === 'job') state.jobs.set(entry.id, entry.job);
      else if (entry.t === 'row') state.rows.set(entry.id, entry.row);
    }
    return state;
  }

  /** The job last submitted for this id, if any. */
  jobOf(id: string): string | undefined {
    return this.jobs.get(id);
  }

  row(id: string): OutputRow | undefined {
    return this.rows.get(id);
  }

  /** Succeeded in this or an earlier run: never sent again. */
  isDone(id: string): boolean {
    return this.rows.get(id)?.status === 'succeeded';
  }

  recordJob(id: string, job: string): void {
    if (this.jobs.get(id) === job) return;
    this.jobs.set(id, job);
    this.append({ t: 'job', id, job });
  }

  recordRow(id: string, row: OutputRow): void {
    this.rows.set(id, row);
    this.append({ t: 'row', id, row });
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(entry: StateEntry): void {
    this.fd ??= openSync(this.path, 'a');
    appendFileSync(this.fd, `${JSON.stringify(entry)}\n`);
  }
}
