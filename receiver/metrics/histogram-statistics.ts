// Statistics of one histogram window (a DELTA point, or the difference of two CUMULATIVE points), from its buckets.
// Pure functions over the arrays the scanner and the series store reuse: no allocation.
//
// Quantiles are interpolated linearly inside the bucket that holds the rank (rank = q × total count), as Prometheus'
// histogram_quantile does: a rank that ends exactly on a bucket's upper edge yields that edge. Bucket edges:
//   explicit      bucket i = (bounds[i-1], bounds[i]]; bucket 0 starts at the point's min, else at 0 when its upper
//                 bound is positive (durations, sizes); the overflow bucket ends at the point's max, else the
//                 quantile is its lower bound.
//   exponential   bucket i = (base^i, base^(i+1)] with base = 2^(2^-scale), negative buckets mirrored, the zero
//                 bucket [-zero_threshold, zero_threshold].
// min / max, when the point has them, also clamp the edges (for a cumulative window they are lifetime extremes, so
// still valid outer bounds). Everything returns NaN when the window is empty or the layout is inconsistent.
// Spec: https://opentelemetry.io/docs/specs/otel/metrics/data-model/#histogram

/** p-th quantile (0 < q ≤ 1) of an explicit-bucket histogram. `min` / `max` NaN when the point has none. */
export function explicitQuantile(
  q: number,
  counts: Float64Array,
  countLen: number,
  bounds: Float64Array,
  boundLen: number,
  min: number,
  max: number,
): number {
  if (countLen !== boundLen + 1) return Number.NaN;
  const total = sumOf(counts, countLen);
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  const last = countLen - 1;
  let cumulative = 0;
  for (let i = 0; i < countLen; i++) {
    const count = counts[i]!;
    if (count <= 0) continue;
    if (cumulative + count >= rank) {
      let upper: number;
      let lower: number;
      if (i === last) {
        lower = i === 0 ? min : bounds[i - 1]!;
        upper = !Number.isNaN(max) && !(max < lower) ? max : lower;
        if (i === 0 && Number.isNaN(min)) lower = upper;
      } else {
        upper = bounds[i]!;
        lower = i === 0 ? (Number.isNaN(min) ? (upper > 0 ? 0 : upper) : min) : bounds[i - 1]!;
      }
      return interpolate(lower, upper, min, max, (rank - cumulative) / count);
    }
    cumulative += count;
  }
  return Number.NaN;
}

/** Largest value of the window: `max` when exact (DELTA), else the highest non-empty bucket's upper edge. */
export function explicitMax(
  counts: Float64Array,
  countLen: number,
  bounds: Float64Array,
  boundLen: number,
  max: number,
  maxIsExact: boolean,
): number {
  if (countLen !== boundLen + 1) return Number.NaN;
  let highest = -1;
  for (let i = countLen - 1; i >= 0; i--) {
    if (counts[i]! > 0) {
      highest = i;
      break;
    }
  }
  if (highest === -1) return Number.NaN;
  if (maxIsExact && !Number.isNaN(max)) return max;
  if (highest === countLen - 1) return Number.isNaN(max) ? (boundLen === 0 ? Number.NaN : bounds[boundLen - 1]!) : max;
  const upper = bounds[highest]!;
  return !Number.isNaN(max) && max < upper ? max : upper;
}

/** The value at `fraction` of [lower, upper] after clamping both edges into [min, max] where known. */
function interpolate(lower: number, upper: number, min: number, max: number, fraction: number): number {
  let lo = lower;
  let hi = upper;
  if (!Number.isNaN(min) && min > lo && min <= hi) lo = min;
  if (!Number.isNaN(max) && max < hi && max >= lo) hi = max;
  if (lo > hi) lo = hi;
  return lo + (hi - lo) * fraction;
}

function sumOf(counts: Float64Array, len: number): number {
  let total = 0;
  for (let i = 0; i < len; i++) {
    const count = counts[i]!;
    if (count > 0) total += count;
  }
  return total;
}

/** Lower edge of positive exponential bucket `index` at `scale`: base^index = 2^(index × 2^-scale). */
function exponentialEdge(index: number, scale: number): number {
  return 2 ** (index * 2 ** -scale);
}

/** p-th quantile of an exponential histogram window. */
export function exponentialQuantile(
  q: number,
  scale: number,
  zeroCount: number,
  zeroThreshold: number,
  positiveOffset: number,
  positive: Float64Array,
  positiveLen: number,
  negativeOffset: number,
  negative: Float64Array,
  negativeLen: number,
  min: number,
  max: number,
): number {
  const zero = zeroCount > 0 ? zeroCount : 0;
  const total = sumOf(positive, positiveLen) + sumOf(negative, negativeLen) + zero;
  if (!(total > 0)) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  // Ascending values: negative buckets from the most negative (highest index) up, the zero bucket, positive buckets.
  for (let k = negativeLen - 1; k >= 0; k--) {
    const count = negative[k]!;
    if (count <= 0) continue;
    if (cumulative + count >= rank) {
      const index = negativeOffset + k;
      return interpolate(-exponentialEdge(index + 1, scale), -exponentialEdge(index, scale), min, max, (rank - cumulative) / count);
    }
    cumulative += count;
  }
  if (zero > 0) {
    if (cumulative + zero >= rank) {
      const threshold = Math.abs(zeroThreshold);
      return interpolate(-threshold, threshold, min, max, (rank - cumulative) / zero);
    }
    cumulative += zero;
  }
  for (let k = 0; k < positiveLen; k++) {
    const count = positive[k]!;
    if (count <= 0) continue;
    if (cumulative + count >= rank) {
      const index = positiveOffset + k;
      return interpolate(exponentialEdge(index, scale), exponentialEdge(index + 1, scale), min, max, (rank - cumulative) / count);
    }
    cumulative += count;
  }
  return Number.NaN;
}

/** Largest value of an exponential window: `max` when exact, else the highest non-empty bucket's upper edge. */
export function exponentialMax(
  scale: number,
  zeroCount: number,
  zeroThreshold: number,
  positiveOffset: number,
  positive: Float64Array,
  positiveLen: number,
  negativeOffset: number,
  negative: Float64Array,
  negativeLen: number,
  max: number,
  maxIsExact: boolean,
): number {
  let upper = Number.NaN;
  for (let k = positiveLen - 1; k >= 0 && Number.isNaN(upper); k--) {
    if (positive[k]! > 0) upper = exponentialEdge(positiveOffset + k + 1, scale);
  }
  if (Number.isNaN(upper) && zeroCount > 0) upper = Math.abs(zeroThreshold);
  for (let k = 0; k < negativeLen && Number.isNaN(upper); k++) {
    if (negative[k]! > 0) upper = -exponentialEdge(negativeOffset + k, scale);
  }
  if (Number.isNaN(upper)) return Number.NaN;
  if (!Number.isNaN(max) && (maxIsExact || max < upper)) return max;
  return upper;
}
