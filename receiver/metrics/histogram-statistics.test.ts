import { describe, expect, it } from 'vitest';
import { explicitMax, explicitQuantile, exponentialMax, exponentialQuantile } from './histogram-statistics.js';

const f64 = (values: number[]) => Float64Array.from(values);
const NONE = Number.NaN;

/** explicitQuantile over plain arrays. */
function quantile(q: number, counts: number[], bounds: number[], min = NONE, max = NONE): number {
  return explicitQuantile(q, f64(counts), counts.length, f64(bounds), bounds.length, min, max);
}

describe('explicitQuantile (linear interpolation inside the bucket)', () => {
  // Buckets: (-inf,1] (1,2] (2,4] (4,+inf)
  const bounds = [1, 2, 4];
  it.each([
    // [q, counts, expected, why]
    [0.5, [0, 10, 0, 0], 1.5, 'middle of (1,2]'],
    [0.99, [0, 10, 0, 0], 1.99, '99 % of the way through (1,2]'],
    [0.5, [5, 5, 0, 0], 1, 'rank 5 ends exactly on the upper edge of bucket 0'],
    [0.6, [5, 5, 0, 0], 1.2, 'rank 6: first of five in (1,2]'],
    [1, [5, 5, 0, 0], 2, 'the top rank is the upper edge of the last non-empty bucket'],
    [0.5, [10, 0, 0, 0], 0.5, 'bucket 0 starts at 0 when its upper bound is positive'],
    [0.5, [2, 0, 0, 2], 1, 'rank 2 ends on bucket 0’s edge; empty buckets skipped'],
    [0.75, [2, 0, 0, 2], 4, 'overflow bucket without max: its lower bound'],
    [0.9, [0, 0, 10, 0], 3.8, 'bucket (2,4]'],
    [0.99, [90, 5, 4, 1], 4, 'rank 99 ends exactly on bucket (2,4]’s upper edge'],
    [0.995, [90, 5, 4, 1], 4, 'in the overflow bucket without max'],
  ])('p%s of %j is %s (%s)', (q, counts, expected) => {
    expect(quantile(q, counts, bounds)).toBeCloseTo(expected, 12);
  });

  it('uses min and max as the open ends and clamps the edges with them', () => {
    expect(quantile(0.5, [10, 0, 0, 0], bounds, 0.4)).toBeCloseTo(0.7, 12);
    expect(quantile(0.5, [0, 0, 0, 10], bounds, NONE, 8)).toBeCloseTo(6, 12);
    expect(quantile(1, [0, 0, 0, 10], bounds, NONE, 8)).toBe(8);
    expect(quantile(0.5, [0, 10, 0, 0], bounds, 1.5, 1.7)).toBeCloseTo(1.6, 12);
    // A max below the bucket's lower edge (inconsistent data) is ignored rather than producing nonsense.
    expect(quantile(0.5, [0, 0, 0, 10], bounds, NONE, 3)).toBe(4);
  });

  it('negative bounds: bucket 0 without min is its upper bound', () => {
    expect(quantile(0.5, [4, 0], [-2])).toBe(-2);
    expect(quantile(0.5, [0, 4], [-2], NONE, 2)).toBeCloseTo(0, 12);
  });

  it('is NaN for an empty window or an inconsistent layout', () => {
    expect(quantile(0.5, [0, 0, 0, 0], bounds)).toBeNaN();
    expect(quantile(0.5, [1, 2], bounds)).toBeNaN();
    expect(quantile(0.5, [5], [])).toBeNaN();
    expect(quantile(0.5, [5], [], 1, 3)).toBe(2);
  });
});

describe('explicitMax', () => {
  const bounds = [1, 2, 4];
  it('is the exact max of a DELTA point, else the highest non-empty bucket’s upper edge clamped by max', () => {
    expect(explicitMax(f64([1, 1, 0, 0]), 4, f64(bounds), 3, 1.7, true)).toBe(1.7);
    expect(explicitMax(f64([1, 1, 0, 0]), 4, f64(bounds), 3, NONE, false)).toBe(2);
    expect(explicitMax(f64([1, 1, 0, 0]), 4, f64(bounds), 3, 9, false)).toBe(2);
    expect(explicitMax(f64([1, 1, 0, 0]), 4, f64(bounds), 3, 1.7, false)).toBe(1.7);
    expect(explicitMax(f64([0, 0, 0, 3]), 4, f64(bounds), 3, NONE, false)).toBe(4);
    expect(explicitMax(f64([0, 0, 0, 3]), 4, f64(bounds), 3, 12, false)).toBe(12);
    expect(explicitMax(f64([0, 0, 0, 0]), 4, f64(bounds), 3, 12, true)).toBeNaN();
  });
});

describe('exponential histograms', () => {
  // scale 0: base 2, bucket i = (2^i, 2^(i+1)].
  it('interpolates inside (2^i, 2^(i+1)] from the offset', () => {
    const positive = f64([0, 10]); // offset 1: buckets (2,4] and (4,8]
    expect(exponentialQuantile(0.5, 0, 0, 0, 1, positive, 2, 0, f64([]), 0, NONE, NONE)).toBeCloseTo(6, 12);
    expect(exponentialQuantile(1, 0, 0, 0, 1, positive, 2, 0, f64([]), 0, NONE, NONE)).toBeCloseTo(8, 12);
  });

  it('orders negative buckets, the zero bucket and positive buckets', () => {
    // negative bucket index 0 = [-2, -1), zero count 2, positive bucket index 0 = (1, 2]
    const args = (q: number) => exponentialQuantile(q, 0, 2, 0, 0, f64([2]), 1, 0, f64([2]), 1, NONE, NONE);
    expect(args(1 / 3)).toBeCloseTo(-1, 12);
    expect(args(1 / 6)).toBeCloseTo(-1.5, 12);
    expect(args(0.5)).toBe(0);
    expect(args(1)).toBeCloseTo(2, 12);
  });

  it('handles finer scales (base 2^(1/2) at scale 1) and the max', () => {
    const edge = (i: number) => 2 ** (i / 2);
    expect(exponentialQuantile(1, 1, 0, 0, 4, f64([3]), 1, 0, f64([]), 0, NONE, NONE)).toBeCloseTo(edge(5), 12);
    expect(exponentialMax(1, 0, 0, 4, f64([3, 0]), 2, 0, f64([]), 0, NONE, false)).toBeCloseTo(edge(5), 12);
    expect(exponentialMax(1, 0, 0, 4, f64([3, 0]), 2, 0, f64([]), 0, 2.1, true)).toBe(2.1);
    expect(exponentialMax(0, 5, 0.001, 0, f64([]), 0, 0, f64([]), 0, NONE, false)).toBe(0.001);
    expect(exponentialQuantile(0.5, 0, 0, 0, 0, f64([]), 0, 0, f64([]), 0, NONE, NONE)).toBeNaN();
  });
});
