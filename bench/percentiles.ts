// Nearest-rank percentiles of a small sample (trial latencies, CLI wall times): with 100 samples p99 is the
// 99th smallest, with 10 samples p90 is the 9th; no interpolation, so every figure printed was measured.

import { nearestRank } from '../engine/stats.js';

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** The nearest-rank `p`th percentile of ascending `sorted` (engine/stats.ts's, which `stats` reports); NaN when empty. */
export function percentile(sorted: readonly number[], p: number): number {
  return nearestRank(sorted, p / 100) ?? Number.NaN;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
}

/** Milliseconds with one decimal, '∞' for a timeout, '-' for none. */
export function ms(value: number): string {
  if (Number.isNaN(value)) return '-';
  if (!Number.isFinite(value)) return '∞';
  return value.toFixed(1);
}
