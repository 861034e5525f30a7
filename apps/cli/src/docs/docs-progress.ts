import { Presets, SingleBar } from 'cli-progress';

/** What a run has to show: items are chunks plus, with a reduce prompt, one reduce per document. */
export interface ProgressCounts {
  total: number;
  done: number;
  failed: number;
  inFlight: number;
  /** Tokens (prompt + completion) and USD of the results so far, earlier runs' included. */
  tokens: number;
  costUsd: number;
}

export interface ProgressView {
  update(counts: ProgressCounts): void;
  stop(counts: ProgressCounts): void;
}

/** Finished per second in this run, and the seconds left at that pace (null before the first). */
class Pace {
  private readonly startedAt = Date.now();
  private baseline: number | undefined;

  measure(counts: ProgressCounts): { rate: number; etaS: number | null } {
    const finished = counts.done + counts.failed;
    this.baseline ??= finished;
    const elapsedS = Math.max((Date.now() - this.startedAt) / 1000, 0.001);
    const rate = (finished - this.baseline) / elapsedS;
    const left = counts.total - finished;
    return { rate, etaS: rate > 0 ? Math.ceil(left / rate) : left === 0 ? 0 : null };
  }
}

const formatEta = (etaS: number | null): string => {
  if (etaS === null) return '?';
  if (etaS < 60) return `${etaS}s`;
  if (etaS < 3600) return `${Math.floor(etaS / 60)}m${String(etaS % 60).padStart(2, '0')}s`;
  return `${Math.floor(etaS / 3600)}h${String(Math.floor((etaS % 3600) / 60)).padStart(2, '0')}m`;
};

function details(counts: ProgressCounts, pace: Pace): Record<string, string | number> {
  const { rate, etaS } = pace.measure(counts);
  return {
    failed: counts.failed,
    inflight: counts.inFlight,
    rate: rate.toFixed(1),
    eta: formatEta(etaS),
    tokens: counts.tokens.toLocaleString('en-US'),
    cost: counts.costUsd.toFixed(4),
  };
}

/** One bar redrawn in place (cli-progress), for a terminal. */
function barView(stream: NodeJS.WriteStream): ProgressView {
  const pace = new Pace();
  const bar = new SingleBar(
    {
      stream,
      format: '{bar} {value}/{total} done | {failed} failed | {inflight} in flight | {rate}/s | ETA {eta} | {tokens} tokens | ${cost}',
      hideCursor: true,
      clearOnComplete: false,
      // Redraw on our updates and on a timer, so ETA and rate move while a long chunk runs.
      fps: 5,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(counts) {
      if (!started) {
        bar.start(counts.total, counts.done, details(counts, pace));
        started = true;
      } else {
        bar.setTotal(counts.total);
        bar.update(counts.done, details(counts, pace));
      }
    },
    stop(counts) {
      this.update(counts);
      bar.stop();
    },
  };
}

/** Plain lines, at most one per interval and one at the end, for a log file or a pipe. */
function lineView(stream: NodeJS.WritableStream, intervalMs: number): ProgressView {
  const pace = new Pace();
  let lastAt = 0;
  const write = (counts: ProgressCounts): void => {
    const d = details(counts, pace);
    stream.write(
      `docs: ${counts.done}/${counts.total} done, ${d.failed} failed, ${d.inflight} in flight, ${d.rate}/s, ETA ${d.eta}, ${d.tokens} tokens, $${d.cost}\n`,
    );
  };
  return {
    update(counts) {
      const now = Date.now();
      if (now - lastAt < intervalMs) return;
      lastAt = now;
      write(counts);
    },
    stop: write,
  };
}

/** The bar when `stream` is a terminal, plain lines every `intervalS` otherwise. */
export function progressView(stream: NodeJS.WriteStream, intervalS: number): ProgressView {
  return stream.isTTY ? barView(stream) : lineView(stream, intervalS * 1000);
}
