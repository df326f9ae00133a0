// What the metric converter remembers of cumulative histogram series, so that a CUMULATIVE point can be turned into
// the window since the previous one (the data model's cumulative → delta conversion): a bounded map, least recently
// seen series dropped first, each series holding its last two points' buckets in arrays reused from point to point.
//
//   point ─▶ SeriesStore.get(key) ─▶ none: create, prime (no window) ──────────────────────────────▶ no event
//                                 └▶ found: time >  last  → window = point − last; previous ← last ← point
//                                           time == last  → window = point − previous (a retried export: the same
//                                                           window again, so a retry after backpressure reproduces
//                                                           its events instead of losing them)
//                                           time <  last  → out of order: ignored
// A start time that moved, or a count that went down, is a reset: the window is the point itself (its counts are
// since the new start). A changed bucket layout (bounds, scale) primes the series anew.
// Spec: https://opentelemetry.io/docs/specs/otel/metrics/data-model/#sums-delta-to-cumulative (and its converse)

import { type DataPointViewFast, METRIC_KIND_EXPONENTIAL_HISTOGRAM } from './metrics-scanner.js';

const INITIAL_CAPACITY = 16;

/** Buckets of one point (or one window): explicit histograms use `positive` only, with offset 0. */
export class BucketSnapshot {
  timeLo = 0;
  timeHi = 0;
  startLo = 0;
  startHi = 0;
  scale = 0;
  bounds: Float64Array = new Float64Array(INITIAL_CAPACITY);
  boundLen = 0;
  positive: Float64Array = new Float64Array(INITIAL_CAPACITY);
  positiveLen = 0;
  positiveOffset = 0;
  negative: Float64Array = new Float64Array(INITIAL_CAPACITY);
  negativeLen = 0;
  negativeOffset = 0;
  zeroCount = 0;
  sum = 0;
  hasSum = false;

  copyFrom(point: DataPointViewFast): void {
    this.timeLo = point.timeLo;
    this.timeHi = point.timeHi;
    this.startLo = point.startLo;
    this.startHi = point.startHi;
    this.scale = point.scale;
    this.bounds = copyInto(this.bounds, point.bounds, point.boundLen);
    this.boundLen = point.boundLen;
    this.positive = copyInto(this.positive, point.bucketCounts, point.bucketCountLen);
    this.positiveLen = point.bucketCountLen;
    this.positiveOffset = point.kind === METRIC_KIND_EXPONENTIAL_HISTOGRAM ? point.positiveOffset : 0;
    this.negative = copyInto(this.negative, point.negativeCounts, point.negativeCountLen);
    this.negativeLen = point.negativeCountLen;
    this.negativeOffset = point.negativeOffset;
    this.zeroCount = point.zeroCount;
    this.sum = point.sum;
    this.hasSum = point.hasSum;
  }

  /** Whether `point` has the same bucket layout (bounds, scale), so that the two can be subtracted. */
  sameLayout(point: DataPointViewFast): boolean {
    if (point.kind === METRIC_KIND_EXPONENTIAL_HISTOGRAM) return point.scale === this.scale;
    if (point.boundLen !== this.boundLen) return false;
    const bounds = point.bounds;
    for (let i = 0; i < this.boundLen; i++) if (bounds[i] !== this.bounds[i]) return false;
    return true;
  }

  /**
   * this ← point − base, aligning exponential buckets by absolute index. Returns false (and leaves garbage) when a
   * count went down: the caller then treats the point as a reset.
   */
  setDifference(point: DataPointViewFast, base: BucketSnapshot): boolean {
    this.timeLo = point.timeLo;
    this.timeHi = point.timeHi;
    this.scale = point.scale;
    this.bounds = copyInto(this.bounds, point.bounds, point.boundLen);
    this.boundLen = point.boundLen;
    const exponential = point.kind === METRIC_KIND_EXPONENTIAL_HISTOGRAM;
    const positiveOffset = exponential ? point.positiveOffset : 0;
    this.positive = ensureCapacity(this.positive, point.bucketCountLen);
    if (!subtractAligned(point.bucketCounts, point.bucketCountLen, positiveOffset, base.positive, base.positiveLen, base.positiveOffset, this.positive)) {
      return false;
    }
    this.positiveLen = point.bucketCountLen;
    this.positiveOffset = positiveOffset;
    this.negative = ensureCapacity(this.negative, point.negativeCountLen);
    if (!subtractAligned(point.negativeCounts, point.negativeCountLen, point.negativeOffset, base.negative, base.negativeLen, base.negativeOffset, this.negative)) {
      return false;
    }
    this.negativeLen = point.negativeCountLen;
    this.negativeOffset = point.negativeOffset;
    this.zeroCount = point.zeroCount - base.zeroCount;
    if (this.zeroCount < 0) return false;
    this.hasSum = point.hasSum && base.hasSum;
    this.sum = point.sum - base.sum;
    return true;
  }
}

/**
 * out[k] = current[k] − base at the same absolute index (offset + k). False when any difference is negative, or
 * the base has counts outside the current range (they cannot have disappeared without a reset).
 */
function subtractAligned(
  current: Float64Array,
  currentLen: number,
  currentOffset: number,
  base: Float64Array,
  baseLen: number,
  baseOffset: number,
  out: Float64Array,
): boolean {
  for (let k = 0; k < currentLen; k++) {
    const baseIndex = currentOffset + k - baseOffset;
    const before = baseIndex >= 0 && baseIndex < baseLen ? base[baseIndex]! : 0;
    const difference = current[k]! - before;
    if (difference < 0) return false;
    out[k] = difference;
  }
  for (let j = 0; j < baseLen; j++) {
    const index = baseOffset + j - currentOffset;
    if ((index < 0 || index >= currentLen) && base[j]! > 0) return false;
  }
  return true;
}

function ensureCapacity(array: Float64Array, length: number): Float64Array {
  if (array.length >= length) return array;
  return new Float64Array(Math.max(length, array.length * 2));
}

function copyInto(target: Float64Array, source: Float64Array, length: number): Float64Array {
  const out = ensureCapacity(target, length);
  for (let i = 0; i < length; i++) out[i] = source[i]!;
  return out;
}

export class HistogramSeries {
  readonly key: number;
  /** The latest point seen. */
  last = new BucketSnapshot();
  /** The point before it, when `hasPrevious`. */
  previous = new BucketSnapshot();
  hasPrevious = false;

  constructor(key: number) {
    this.key = key;
  }
}

/** Outcome of SeriesStore.window. */
export const WINDOW_NONE = 0;
export const WINDOW_READY = 1;

/** Bounded LRU map of cumulative histogram series, keyed by a 53-bit hash of the series identity. */
export class SeriesStore {
  readonly maxSeries: number;
  private readonly series = new Map<number, HistogramSeries>();
  /** Series dropped to stay within maxSeries (for stats). */
  evicted = 0;

  constructor(maxSeries: number) {
    this.maxSeries = maxSeries;
  }

  get size(): number {
    return this.series.size;
  }

  /**
   * Updates the series `key` with the cumulative `point` and writes the window it closes into `window`. Returns
   * WINDOW_READY when `window` holds a window to evaluate, WINDOW_NONE when the point only primed or was stale.
   */
  window(key: number, point: DataPointViewFast, window: BucketSnapshot): number {
    let entry = this.series.get(key);
    if (entry === undefined) {
      entry = new HistogramSeries(key);
      entry.last.copyFrom(point);
      this.insert(entry);
      return WINDOW_NONE;
    }
    // Most recently seen last: Map iteration order is insertion order, so re-inserting keeps the LRU order.
    this.series.delete(key);
    this.series.set(key, entry);

    const last = entry.last;
    const order = compareTimes(point.timeHi, point.timeLo, last.timeHi, last.timeLo);
    if (order < 0) return WINDOW_NONE;
    if (order === 0) {
      if (!entry.hasPrevious || !entry.previous.sameLayout(point)) return WINDOW_NONE;
      fillWindow(point, entry.previous, window);
      return WINDOW_READY;
    }
    if (!last.sameLayout(point)) {
      last.copyFrom(point);
      entry.hasPrevious = false;
      return WINDOW_NONE;
    }
    fillWindow(point, last, window);
    // Swap the two snapshots: the old `last` becomes `previous`, the old `previous` is overwritten as the new `last`.
    const spare = entry.previous;
    entry.previous = last;
    entry.last = spare;
    spare.copyFrom(point);
    entry.hasPrevious = true;
    return WINDOW_READY;
  }

  private insert(entry: HistogramSeries): void {
    this.series.set(entry.key, entry);
    if (this.series.size > this.maxSeries) {
      const oldest = this.series.keys().next();
      if (!oldest.done) {
        this.series.delete(oldest.value);
        this.evicted++;
      }
    }
  }
}

/** window ← point − base, or the point itself when it reset (moved start time, a count that went down). */
function fillWindow(point: DataPointViewFast, base: BucketSnapshot, window: BucketSnapshot): void {
  const restarted =
    (base.startLo | base.startHi) !== 0 &&
    (point.startLo | point.startHi) !== 0 &&
    (base.startLo !== point.startLo || base.startHi !== point.startHi);
  if (restarted || !window.setDifference(point, base)) window.copyFrom(point);
}

/** Sign of (aHi:aLo − bHi:bLo) for unsigned 64-bit values given as 32-bit halves. */
function compareTimes(aHi: number, aLo: number, bHi: number, bLo: number): number {
  if (aHi !== bHi) return aHi < bHi ? -1 : 1;
  if (aLo !== bLo) return aLo < bLo ? -1 : 1;
  return 0;
}
