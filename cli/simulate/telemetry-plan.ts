// What `firewatch incidents simulate` and `firewatch demo` send, as plain data: spans (each root span one trace, its
// log records emitted in the span's context) and metric collections. Generators (simulations.ts, demo-scenario.ts)
// build plans without touching the SDK, so tests can check them; sender.ts turns a plan into real OTLP through the
// OpenTelemetry JS SDK.

/** Attribute values as the OTel API takes them. */
export type PlanAttributeValue = string | number | boolean;
export type PlanAttributes = Record<string, PlanAttributeValue>;

export type PlanSpanKind = 'server' | 'client' | 'internal';

/** One span; `children` are its child spans in the same trace (possibly of other services). */
export interface SpanPlan {
  /** `service.name` of the process that records the span. */
  service: string;
  name: string;
  kind: PlanSpanKind;
  /** Epoch ms. */
  startMs: number;
  durationMs: number;
  attributes: PlanAttributes;
  /** Status ERROR with this message, plus an exception event when `exceptionType` is set. */
  error?: { message: string; exceptionType?: string };
  /** Log records the service writes while the span is active (they carry its trace and span IDs). */
  logs?: LogPlan[];
  children?: SpanPlan[];
}

export type PlanLogSeverity = 'INFO' | 'WARN' | 'ERROR' | 'FATAL';

export interface LogPlan {
  /** Epoch ms. */
  timeMs: number;
  severity: PlanLogSeverity;
  body: string;
  attributes: PlanAttributes;
}

/** One metric collection of one service: each reading becomes one gauge data point stamped `timeMs`. */
export interface MetricCollectionPlan {
  service: string;
  /** Epoch ms. */
  timeMs: number;
  readings: GaugeReading[];
}

export interface GaugeReading {
  metric: string;
  unit: string;
  value: number;
  attributes: PlanAttributes;
}

export interface TelemetryPlan {
  /** Root spans: one trace each. */
  traces: SpanPlan[];
  metrics: MetricCollectionPlan[];
}

/** OTel severity numbers (https://opentelemetry.io/docs/specs/otel/logs/data-model/#field-severitynumber). */
export const LOG_SEVERITY_NUMBER: Readonly<Record<PlanLogSeverity, number>> = { INFO: 9, WARN: 13, ERROR: 17, FATAL: 21 };

/** Every span of a trace, depth first (the root first). */
export function flattenSpans(root: SpanPlan): SpanPlan[] {
  const out: SpanPlan[] = [];
  const stack = [root];
  while (stack.length > 0) {
    const span = stack.pop()!;
    out.push(span);
    const children = span.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  return out;
}

/** Spans, log records and metric points in a plan (what the first line of a run reports). */
export function countTelemetry(plan: TelemetryPlan): { spans: number; logs: number; points: number } {
  let spans = 0;
  let logs = 0;
  for (const root of plan.traces) {
    for (const span of flattenSpans(root)) {
      spans++;
      logs += span.logs?.length ?? 0;
    }
  }
  let points = 0;
  for (const collection of plan.metrics) points += collection.readings.length;
  return { spans, logs, points };
}

/**
 * `count` instants spread evenly over [`fromMs`, `toMs`], oldest first; one instant is `toMs`. Whole milliseconds,
 * so what a test computes is what the wire carries.
 */
export function spreadTimes(count: number, fromMs: number, toMs: number): number[] {
  if (count <= 0) return [];
  if (count === 1 || toMs <= fromMs) return Array.from({ length: count }, () => toMs);
  const step = (toMs - fromMs) / (count - 1);
  return Array.from({ length: count }, (_, i) => Math.round(fromMs + i * step));
}

/**
 * A small deterministic generator (mulberry32) seeded from a string: plans vary durations and values a little, as
 * real telemetry does, while the same simulation ID always yields the same plan.
 */
export function createJitter(seedText: string): () => number {
  let seed = 2166136261;
  for (let i = 0; i < seedText.length; i++) seed = Math.imul(seed ^ seedText.charCodeAt(i), 16777619);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
