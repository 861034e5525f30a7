import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round } from './stats';

export type Verdict = 'PASS' | 'MISS' | '';

export interface Row {
  id: string;
  what: string;
  value: number;
  unit: string;
  /** Human-readable target, '' when the row is a reference figure. */
  target: string;
  /** value relative to the reference the target names, when there is one. */
  ratio?: number;
  verdict: Verdict;
}

/** A row whose target is `value >= min`, with `ratio = value / reference`. */
export function atLeast(id: string, what: string, value: number, unit: string, min: number, reference: number, target: string): Row {
  return { id, what, value, unit, target, ratio: value / reference, verdict: value >= min ? 'PASS' : 'MISS' };
}

export function atMost(id: string, what: string, value: number, unit: string, max: number, target: string): Row {
  return { id, what, value, unit, target, verdict: value <= max ? 'PASS' : 'MISS' };
}

export function info(id: string, what: string, value: number, unit: string): Row {
  return { id, what, value, unit, target: '', verdict: '' };
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return Math.abs(value) >= 100 ? Math.round(value).toLocaleString('en-US') : String(round(value, 1));
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

export function renderTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [
    r.id,
    r.what,
    `${formatNumber(r.value)} ${r.unit}`,
    r.target,
    r.ratio === undefined ? '' : `${round(r.ratio, 2).toFixed(2)}×`,
    r.verdict,
  ]);
  const header = ['', 'measure', 'value', 'target', 'ratio', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[]) => c.map((cell, i) => pad(cell, widths[i] ?? 0, i === 2 || i === 4)).join('  ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(header), rule, ...cells.map(line)].join('\n');
}

/** Writes bench/results/<timestamp>.json (the directory is gitignored) and returns its path. */
export function writeResults(repoRoot: string, data: unknown): string {
  const dir = join(repoRoot, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(dir, `${stamp}.json`);
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`, 'utf8');
  return path;
}
