// A small metrics registry rendering the Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format).
//
//   hot path ──counter.inc() / gauge.set() / histogram.observe()──▶ child (plain numbers, pre-rendered label text)
//   scrape ──render()──▶ every family in registration order: # HELP, # TYPE, samples
//                        collector families call their callback here, so ring sizes and the like are read at
//                        scrape time and never pushed from the hot path
//
// Cost model: a child holds numbers and the label text it renders (escaped once, when the child is created), so
// inc/set/observe touch no strings and allocate nothing. labels(...) is a Map lookup (plus an array for the rest
// parameter): code on a per-item path keeps the child it returned.
//
// Bounds: a family holds at most `maxLabelSets` children (default 1000). Past that, labels(...) answers a detached
// child whose updates go nowhere, and the refusal is counted in firewatch_metrics_label_overflow_total{family};
// collector callbacks emitting more label sets than that are cut the same way. Label values that come from
// telemetry can therefore never grow the registry or the scrape without bound.

/** `Content-Type` of render()'s output. */
export const PROMETHEUS_TEXT_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
/** Distinct label sets a family holds before labels(...) refuses new ones. */
export const DEFAULT_MAX_LABEL_SETS = 1000;
/** Counts label sets refused by the bound above, per family. */
export const LABEL_OVERFLOW_METRIC = 'firewatch_metrics_label_overflow_total';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Label names starting with `__` are reserved for Prometheus' internal use. */
const RESERVED_LABEL_PREFIX = '__';
/** A histogram's bucket label. */
const BUCKET_LABEL = 'le';
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count'] as const;
/** Integers at or above this are printed by String() with an exponent. */
const EXPONENT_THRESHOLD = 1e21;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Any surrogate: only strings with one need the (slower) LONE_SURROGATE replacement. */
const SURROGATE = /[\uD800-\uDFFF]/;

export type MetricType = 'counter' | 'gauge' | 'histogram';

/** The values of a family's labels, in the order of its `labelNames` (checked by the type when they are literal). */
export type LabelValues<L extends readonly string[]> = { [K in keyof L]: string };

export interface FamilyOptions<L extends readonly string[]> {
  /** `[a-zA-Z_:][a-zA-Z0-9_:]*`, unique in the registry (a histogram also takes `<name>_bucket|_sum|_count`). */
  name: string;
  /** One line; backslashes and line feeds are escaped on output. */
  help: string;
  /** `[a-zA-Z_][a-zA-Z0-9_]*`, not starting with `__`, distinct. Default none. */
  labelNames?: L;
  /** Children this family holds before refusing new label sets. Default: the registry's (1000). */
  maxLabelSets?: number;
}

export interface HistogramOptions<L extends readonly string[]> extends FamilyOptions<L> {
  /** Upper bounds, finite and strictly increasing; the `+Inf` bucket is always added (a trailing Infinity is dropped). */
  buckets: readonly number[];
}

/** Called by a collector's callback once per sample: `labelValues` in the order of `labelNames` (omit when none). */
export type CollectorEmit = (value: number, labelValues?: readonly string[]) => void;

export interface CollectorOptions<L extends readonly string[]> extends FamilyOptions<L> {
  type: 'counter' | 'gauge';
  /**
   * Reads the current values at scrape time. A label set emitted twice keeps its first value; label sets past the
   * family's bound are dropped and counted as overflow. An exception propagates out of render().
   */
  collect(emit: CollectorEmit): void;
}

export interface CounterChild {
  /** Adds `by` (default 1): finite and ≥ 0, else RangeError. */
  inc(by?: number): void;
  get(): number;
}

export interface Counter<L extends readonly string[] = []> extends CounterChild {
  readonly name: string;
  /** The child for these label values (created on first use; a no-op child past the family's bound). */
  labels(...values: LabelValues<L>): CounterChild;
}

export interface GaugeChild {
  set(value: number): void;
  inc(by?: number): void;
  dec(by?: number): void;
  get(): number;
}

export interface Gauge<L extends readonly string[] = []> extends GaugeChild {
  readonly name: string;
  labels(...values: LabelValues<L>): GaugeChild;
}

export interface HistogramChild {
  /** Counts `value` in the first bucket whose bound is ≥ it, and adds it to the sum. NaN is ignored. */
  observe(value: number): void;
  /** Observations so far. */
  count(): number;
  sum(): number;
}

export interface Histogram<L extends readonly string[] = []> extends HistogramChild {
  readonly name: string;
  /** The finite upper bounds (the `+Inf` bucket is implied). */
  readonly buckets: readonly number[];
  labels(...values: LabelValues<L>): HistogramChild;
}

export interface MetricsRegistryOptions {
  /** Default bound on label sets per family. Default 1000. */
  maxLabelSets?: number;
}

export interface MetricsRegistry {
  counter<const L extends readonly string[] = []>(options: FamilyOptions<L>): Counter<L>;
  gauge<const L extends readonly string[] = []>(options: FamilyOptions<L>): Gauge<L>;
  histogram<const L extends readonly string[] = []>(options: HistogramOptions<L>): Histogram<L>;
  /** A counter or gauge family whose samples are read from a callback at scrape time. */
  collector<const L extends readonly string[] = []>(options: CollectorOptions<L>): void;
  /** The whole registry in the text format, ending with a line feed. */
  render(): string;
}

// ---------------------------------------------------------------------------------------------------------------
// Formatting (exported for tests and for code writing the format by hand)

/** A sample value as the format spells it: `+Inf`, `-Inf`, `NaN`, integers in full (no exponent). */
export function formatSampleValue(value: number): string {
  if (Number.isInteger(value)) return Math.abs(value) < EXPONENT_THRESHOLD ? String(value) : BigInt(value).toString();
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  if (Number.isNaN(value)) return 'NaN';
  return String(value);
}

/** A label value between its double quotes: `\` → `\\`, `"` → `\"`, line feed → `\n`; lone surrogates → U+FFFD. */
export function escapeLabelValue(value: string): string {
  return wellFormed(value).replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

/** `text` with lone surrogates (which UTF-8 cannot carry) replaced by U+FFFD; the same string when it has none. */
function wellFormed(text: string): string {
  return SURROGATE.test(text) ? text.replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** HELP text: `\` → `\\`, line feed → `\n` (quotes stay as they are there). */
export function escapeHelp(help: string): string {
  return wellFormed(help).replace(/[\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\\\'));
}

// ---------------------------------------------------------------------------------------------------------------
// Families

interface Family {
  readonly name: string;
  render(lines: string[]): void;
}

/** Label values → child, bounded; refusals answer `detached` and call `onOverflow`. */
class ChildTable<C> {
  private readonly byKey = new Map<string, C>();

  constructor(
    private readonly family: string,
    private readonly labelNames: readonly string[],
    private readonly max: number,
    private readonly create: (labelText: string) => C,
    private readonly detached: C,
    private readonly onOverflow: () => void,
  ) {}

  get(values: readonly string[]): C {
    const key = labelKey(this.family, this.labelNames, values);
    const found = this.byKey.get(key);
    if (found !== undefined) return found;
    if (this.byKey.size >= this.max) {
      this.onOverflow();
      return this.detached;
    }
    const child = this.create(labelText(this.labelNames, values));
    this.byKey.set(key, child);
    return child;
  }

  values(): IterableIterator<C> {
    return this.byKey.values();
  }
}

/** A Map key for label values: the value itself for one label, length-prefixed parts otherwise (no collisions). */
function labelKey(family: string, labelNames: readonly string[], values: readonly string[]): string {
  if (values.length !== labelNames.length) {
    throw new TypeError(`${family}: expected ${labelNames.length} label value(s) (${labelNames.join(', ')}), got ${values.length}`);
  }
  for (const value of values) {
    if (typeof value !== 'string') throw new TypeError(`${family}: label values must be strings, got ${typeof value}`);
  }
  // Keyed on what is printed, so that two values printing alike (lone surrogates) share one series.
  if (values.length === 1) return wellFormed(values[0]!);
  let key = '';
  for (const value of values) {
    const printed = wellFormed(value);
    key += `${printed.length}:${printed}`;
  }
  return key;
}

/** `a="x",b="y"` (no braces, so a histogram can append `le`). */
function labelText(labelNames: readonly string[], values: readonly string[]): string {
  let text = '';
  for (let i = 0; i < labelNames.length; i++) {
    text += `${i === 0 ? '' : ','}${labelNames[i]}="${escapeLabelValue(values[i]!)}"`;
  }
  return text;
}

function seriesName(name: string, labels: string): string {
  return labels === '' ? name : `${name}{${labels}}`;
}

function header(lines: string[], name: string, help: string, type: MetricType): void {
  lines.push(`# HELP ${name} ${escapeHelp(help)}`, `# TYPE ${name} ${type}`);
}

function checkIncrement(family: string, by: number): void {
  if (!(by >= 0) || by === Infinity) throw new RangeError(`${family}: a counter only goes up by a finite amount ≥ 0, got ${by}`);
}

class CounterValue implements CounterChild {
  value = 0;
  constructor(
    readonly family: string,
    readonly series: string,
  ) {}
  inc(by = 1): void {
    checkIncrement(this.family, by);
    this.value += by;
  }
  get(): number {
    return this.value;
  }
}

const DETACHED_COUNTER: CounterChild = { inc: () => {}, get: () => 0 };
const DETACHED_GAUGE: GaugeChild = { set: () => {}, inc: () => {}, dec: () => {}, get: () => 0 };
const DETACHED_HISTOGRAM: HistogramChild = { observe: () => {}, count: () => 0, sum: () => 0 };

class GaugeValue implements GaugeChild {
  value = 0;
  constructor(readonly series: string) {}
  set(value: number): void {
    this.value = value;
  }
  inc(by = 1): void {
    this.value += by;
  }
  dec(by = 1): void {
    this.value -= by;
  }
  get(): number {
    return this.value;
  }
}

class HistogramValue implements HistogramChild {
  /** Per bucket, not cumulative (the +Inf bucket last); cumulated at render. */
  private readonly counts: Float64Array;
  private total = 0;
  private observations = 0;

  constructor(
    private readonly bounds: readonly number[],
    /** `<name>_bucket{…le="…"} ` per bucket, +Inf last. */
    private readonly bucketPrefixes: readonly string[],
    private readonly sumPrefix: string,
    private readonly countPrefix: string,
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    if (value !== value) return; // NaN
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.total += value;
    this.observations += 1;
  }

  count(): number {
    return this.observations;
  }

  sum(): number {
    return this.total;
  }

  render(lines: string[]): void {
    let cumulative = 0;
    for (let i = 0; i < this.counts.length; i++) {
      cumulative += this.counts[i]!;
      lines.push(this.bucketPrefixes[i]! + formatSampleValue(cumulative));
    }
    lines.push(this.sumPrefix + formatSampleValue(this.total), this.countPrefix + formatSampleValue(this.observations));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Registry

interface Checked {
  name: string;
  help: string;
  labelNames: readonly string[];
  max: number;
}

export function createMetricsRegistry(options: MetricsRegistryOptions = {}): MetricsRegistry {
  const defaultMax = options.maxLabelSets ?? DEFAULT_MAX_LABEL_SETS;
  checkBound(defaultMax, 'maxLabelSets');
  const families: Family[] = [];
  /** Every sample name taken (a histogram takes four), so two families can never print the same series. */
  const taken = new Set<string>();

  // The overflow counter's label set is bounded by the number of families, so it needs no bound of its own.
  const overflowChildren = new Map<string, CounterValue>();
  const overflowFamily: Family = {
    name: LABEL_OVERFLOW_METRIC,
    render(lines) {
      header(lines, LABEL_OVERFLOW_METRIC, 'Label sets refused because a metric family reached its bound, by family.', 'counter');
      for (const child of overflowChildren.values()) lines.push(`${child.series} ${formatSampleValue(child.value)}`);
    },
  };
  taken.add(LABEL_OVERFLOW_METRIC);
  const overflowOf = (family: string) => (): void => {
    let child = overflowChildren.get(family);
    if (child === undefined) {
      child = new CounterValue(LABEL_OVERFLOW_METRIC, seriesName(LABEL_OVERFLOW_METRIC, labelText(['family'], [family])));
      overflowChildren.set(family, child);
    }
    child.value += 1;
  };

  const check = <L extends readonly string[]>(opts: FamilyOptions<L>, sampleNames: readonly string[]): Checked => {
    const { name, help } = opts;
    if (typeof name !== 'string' || !METRIC_NAME.test(name)) throw new TypeError(`invalid metric name ${JSON.stringify(name)}`);
    if (typeof help !== 'string') throw new TypeError(`${name}: help must be a string`);
    for (const sample of sampleNames) {
      if (taken.has(sample)) throw new TypeError(`${name}: the name ${sample} is already registered`);
    }
    const labelNames = [...(opts.labelNames ?? [])];
    const seen = new Set<string>();
    for (const label of labelNames) {
      if (typeof label !== 'string' || !LABEL_NAME.test(label) || label.startsWith(RESERVED_LABEL_PREFIX)) {
        throw new TypeError(`${name}: invalid label name ${JSON.stringify(label)}`);
      }
      if (seen.has(label)) throw new TypeError(`${name}: label ${label} given twice`);
      seen.add(label);
    }
    const max = opts.maxLabelSets ?? defaultMax;
    checkBound(max, `${name}: maxLabelSets`);
    for (const sample of sampleNames) taken.add(sample);
    return { name, help, labelNames, max };
  };

  const noLabels = (family: string) => (): never => {
    throw new TypeError(`${family} has labels: update it through labels(...)`);
  };

  return {
    counter<const L extends readonly string[] = []>(opts: FamilyOptions<L>): Counter<L> {
      const { name, help, labelNames, max } = check(opts, [opts.name]);
      const table = new ChildTable<CounterChild>(
        name,
        labelNames,
        max,
        (labels) => new CounterValue(name, seriesName(name, labels)),
        DETACHED_COUNTER,
        overflowOf(name),
      );
      families.push({
        name,
        render(lines) {
          header(lines, name, help, 'counter');
          for (const child of table.values()) lines.push(`${(child as CounterValue).series} ${formatSampleValue(child.get())}`);
        },
      });
      const root = labelNames.length === 0 ? table.get([]) : undefined;
      return {
        name,
        inc: root ? (by?: number) => root.inc(by) : noLabels(name),
        get: root ? () => root.get() : noLabels(name),
        labels: (...values) => table.get(values as readonly string[]),
      };
    },

    gauge<const L extends readonly string[] = []>(opts: FamilyOptions<L>): Gauge<L> {
      const { name, help, labelNames, max } = check(opts, [opts.name]);
      const table = new ChildTable<GaugeChild>(
        name,
        labelNames,
        max,
        (labels) => new GaugeValue(seriesName(name, labels)),
        DETACHED_GAUGE,
        overflowOf(name),
      );
      families.push({
        name,
        render(lines) {
          header(lines, name, help, 'gauge');
          for (const child of table.values()) lines.push(`${(child as GaugeValue).series} ${formatSampleValue(child.get())}`);
        },
      });
      const root = labelNames.length === 0 ? table.get([]) : undefined;
      return {
        name,
        set: root ? (value: number) => root.set(value) : noLabels(name),
        inc: root ? (by?: number) => root.inc(by) : noLabels(name),
        dec: root ? (by?: number) => root.dec(by) : noLabels(name),
        get: root ? () => root.get() : noLabels(name),
        labels: (...values) => table.get(values as readonly string[]),
      };
    },

    histogram<const L extends readonly string[] = []>(opts: HistogramOptions<L>): Histogram<L> {
      const bounds = checkBuckets(opts.name, opts.buckets);
      if (((opts.labelNames ?? []) as readonly string[]).includes(BUCKET_LABEL)) throw new TypeError(`${opts.name}: "le" is the bucket label`);
      const { name, help, labelNames, max } = check(opts, [opts.name, ...HISTOGRAM_SUFFIXES.map((suffix) => opts.name + suffix)]);
      const les = [...bounds.map(formatSampleValue), '+Inf'];
      const table = new ChildTable<HistogramChild>(
        name,
        labelNames,
        max,
        (labels) => {
          const sep = labels === '' ? '' : ',';
          return new HistogramValue(
            bounds,
            les.map((le) => `${name}_bucket{${labels}${sep}le="${le}"} `),
            `${seriesName(`${name}_sum`, labels)} `,
            `${seriesName(`${name}_count`, labels)} `,
          );
        },
        DETACHED_HISTOGRAM,
        overflowOf(name),
      );
      families.push({
        name,
        render(lines) {
          header(lines, name, help, 'histogram');
          for (const child of table.values()) (child as HistogramValue).render(lines);
        },
      });
      const root = labelNames.length === 0 ? table.get([]) : undefined;
      return {
        name,
        buckets: bounds,
        observe: root ? (value: number) => root.observe(value) : noLabels(name),
        count: root ? () => root.count() : noLabels(name),
        sum: root ? () => root.sum() : noLabels(name),
        labels: (...values) => table.get(values as readonly string[]),
      };
    },

    collector<const L extends readonly string[] = []>(opts: CollectorOptions<L>): void {
      const { type, collect } = opts;
      if (type !== 'counter' && type !== 'gauge') throw new TypeError(`${opts.name}: a collector is a counter or a gauge`);
      if (typeof collect !== 'function') throw new TypeError(`${opts.name}: collect must be a function`);
      const { name, help, labelNames, max } = check(opts, [opts.name]);
      const overflow = overflowOf(name);
      const none: readonly string[] = [];
      families.push({
        name,
        render(lines) {
          header(lines, name, help, type);
          const seen = new Set<string>();
          collect((value, labelValues = none) => {
            const key = labelKey(name, labelNames, labelValues);
            if (seen.has(key)) return;
            if (seen.size >= max) {
              overflow();
              return;
            }
            seen.add(key);
            lines.push(`${seriesName(name, labelText(labelNames, labelValues))} ${formatSampleValue(value)}`);
          });
        },
      });
    },

    render() {
      const lines: string[] = [];
      for (const family of families) family.render(lines);
      // Last, so that overflow counted by collectors during this very scrape is already in it.
      overflowFamily.render(lines);
      return `${lines.join('\n')}\n`;
    },
  };
}

function checkBound(max: number, what: string): void {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`${what} must be a positive integer, got ${max}`);
}

function checkBuckets(name: string, buckets: readonly number[]): number[] {
  if (!Array.isArray(buckets)) throw new TypeError(`${name}: buckets must be an array of numbers`);
  const bounds = buckets[buckets.length - 1] === Infinity ? buckets.slice(0, -1) : [...buckets];
  if (bounds.length === 0) throw new RangeError(`${name}: at least one finite bucket bound is needed`);
  for (let i = 0; i < bounds.length; i++) {
    const bound = bounds[i]!;
    if (typeof bound !== 'number' || !Number.isFinite(bound)) throw new RangeError(`${name}: bucket bound ${bound} is not finite`);
    if (i > 0 && bound <= bounds[i - 1]!) throw new RangeError(`${name}: bucket bounds must increase strictly (${bounds[i - 1]} then ${bound})`);
  }
  return bounds;
}
