// Severity escalation: the seed's "Can Escalate To" column (severity-matrix.ts) with its conditions made concrete.
//
//   incident type            → to        when                                                         checked
//   error_burst              → critical  > 50 % of an affected service's requests failed in the rule  ingest (totals)
//                                        window (IngestContext.serviceTotals, per-service counters)
//   disk_space_low           → critical  an event's metadata.free_ratio < 0.05 (or usage_percent > 95) event joins
//   performance_degradation  → high      a slow event's metadata.duration_ms > 5 × the service's       event joins
//                                        baseline (EWMA of its successful server spans' durations)
//   quality_drop             → high      an event's metadata.coverage (else value) < 50 (percent)      event joins
//   workflow_failure_spike   → critical  an event's metadata `workflow.critical` (the span or log       event joins
//                                        attribute) is true; the older metadata.critical too
//   network_partition        → critical  an event's metadata.complete is true ("if complete")          event joins
//   deadlock_detected        → critical  an event's metadata.critical is true ("critical resources")   event joins
//   api_rate_limit, cache_failure, resource_leak
//                            → one step  open (since detection) longer than 30 min ("if prolonged")    tick()
//
// Thresholds are strict (50 % does not escalate, 50.1 % does) and configurable (EscalationOptions). Escalation only
// ever raises severity, to the matrix's target; each one adds a note `severity high → critical: <why>`
// (recurrence.ts recognises these as firewatch's own notes).
//
// Baselines (performance_degradation): an exponentially weighted mean of the durations of a service's server spans
// that did not fail, from IngestContext.spans. Each sample is clipped at 2 × the current baseline: with a share p of
// slow requests the baseline settles at (1 − p) / (1 − 2p) of the normal level (p = 10 % → 1.125×), so the slow
// requests of an ongoing incident barely move it, while a change of level that more than half of the requests show
// is still learnt. A baseline is used once it has `baselineMinSamples` samples; without spans (logs- or metrics-only
// services) there is none and the incident keeps its severity. Request counters and baselines go by arrival time (the engine's clock):
// serviceTotals carry no event time.

import { makeRoom } from './bounded-map.js';
import { appendEngineNote } from './workflow.js';
import { SEVERITY_MATRIX } from './severity-matrix.js';
import { SEVERITY_RANK } from './types.js';
import type { Incident, IncidentEvent, IncidentType, ServiceTotals, Severity } from './types.js';

export interface EscalationOptions {
  /** error_burst → critical when more than this share of an affected service's requests failed; default 0.5. */
  errorRateThreshold: number;
  /** Fewest requests in the window before that share is judged; default 10 (the error_burst threshold). */
  errorRateMinRequests: number;
  /** Width of the per-service request counters' buckets, seconds; default 10. */
  rateBucketSeconds: number;
  /** disk_space_low → critical when metadata.free_ratio is below this; default 0.05. */
  diskFreeRatioThreshold: number;
  /** … or when metadata.usage_percent is above this; default 95. */
  diskUsagePercentThreshold: number;
  /** performance_degradation → high when a slow event took more than this multiple of its baseline; default 5. */
  slowdownFactor: number;
  /** Weight of each new duration in the baseline (EWMA), 0–1; default 0.05. */
  baselineWeight: number;
  /** Samples a baseline needs before it is used; default 20. */
  baselineMinSamples: number;
  /** quality_drop → high when metadata.coverage (else metadata.value) is below this percentage; default 50. */
  qualityThresholdPercent: number;
  /** api_rate_limit, cache_failure, resource_leak: one step up when open longer than this, seconds; default 1800. */
  prolongedAfterSeconds: number;
  /** Services with request counters and baselines; the least recently updated is dropped beyond; default 10,000. */
  maxServices: number;
}

export function createDefaultEscalationOptions(): EscalationOptions {
  return {
    errorRateThreshold: 0.5,
    errorRateMinRequests: 10,
    rateBucketSeconds: 10,
    diskFreeRatioThreshold: 0.05,
    diskUsagePercentThreshold: 95,
    slowdownFactor: 5,
    baselineWeight: 0.05,
    baselineMinSamples: 20,
    qualityThresholdPercent: 50,
    prolongedAfterSeconds: 1800,
    maxServices: 10_000,
  };
}

/** Validates escalation options; one message per bad key, named `<path>.<key>`. */
export function validateEscalationOptions(options: EscalationOptions, path: string): string[] {
  const errors: string[] = [];
  const check = (key: keyof EscalationOptions, ok: boolean, want: string) => {
    if (!ok) errors.push(`${path}.${key}: must be ${want} (got ${String(options[key])})`);
  };
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  const integer = (v: number) => Number.isSafeInteger(v) && v > 0;
  check('errorRateThreshold', options.errorRateThreshold > 0 && options.errorRateThreshold < 1, 'between 0 and 1');
  check('errorRateMinRequests', integer(options.errorRateMinRequests), 'a positive integer');
  check('rateBucketSeconds', positive(options.rateBucketSeconds), 'a positive number');
  check('diskFreeRatioThreshold', options.diskFreeRatioThreshold > 0 && options.diskFreeRatioThreshold < 1, 'between 0 and 1');
  check(
    'diskUsagePercentThreshold',
    options.diskUsagePercentThreshold > 0 && options.diskUsagePercentThreshold < 100,
    'between 0 and 100',
  );
  check('slowdownFactor', Number.isFinite(options.slowdownFactor) && options.slowdownFactor > 1, 'a number above 1');
  check('baselineWeight', options.baselineWeight > 0 && options.baselineWeight <= 1, 'in (0, 1]');
  check('baselineMinSamples', integer(options.baselineMinSamples), 'a positive integer');
  check(
    'qualityThresholdPercent',
    options.qualityThresholdPercent > 0 && options.qualityThresholdPercent <= 100,
    'in (0, 100]',
  );
  check('prolongedAfterSeconds', positive(options.prolongedAfterSeconds), 'a positive number');
  check('maxServices', integer(options.maxServices), 'a positive integer');
  return errors;
}

/** The highest failed share of requests among an incident's services (Escalator.worstErrorRate). */
export interface WorstErrorRate {
  /** 0–1 */
  share: number;
  service: string;
}

/** Incident types escalated by how long they stay open. */
export const PROLONGED_TYPES: ReadonlySet<IncidentType> = new Set(['api_rate_limit', 'cache_failure', 'resource_leak']);

/** Longest piece of telemetry text quoted in a note. */
const MAX_QUOTED = 80;
/** Affected components whose request share is checked per incident. */
export const MAX_RATE_COMPONENTS = 10;
/** A duration counts for at most this multiple of the current baseline (see the top of the file). */
const BASELINE_CLIP_FACTOR = 2;
/** Most time buckets per service's request counters (memory: 24 bytes each). */
const MAX_RATE_SLOTS = 360;

function quote(text: string): string {
  return text.length > MAX_QUOTED ? `${text.slice(0, MAX_QUOTED)}…` : text;
}

/** `63%`, `50.1%`, `3.2%`: one decimal, none when it is zero. */
export function formatPercent(share: number): string {
  return `${(Math.round(share * 1000) / 10).toFixed(1).replace(/\.0$/, '')}%`;
}

/** `45s`, `6m`, `1h 5m`. */
export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const rest = minutes % 60;
  return rest === 0 ? `${Math.floor(minutes / 60)}h` : `${Math.floor(minutes / 60)}h ${rest}m`;
}

function formatNumber(value: number): string {
  return String(Math.round(value * 10) / 10);
}

/**
 * Raises `incident` to `to` and notes why; false (and nothing changes) when it is already at least that severe.
 */
export function escalate(incident: Incident, to: Severity, reason: string): boolean {
  if (SEVERITY_RANK[incident.severity] >= SEVERITY_RANK[to]) return false;
  appendEngineNote(incident, `severity ${incident.severity} → ${to}: ${reason}`);
  incident.severity = to;
  return true;
}

/** The matrix's escalation target of a type, or null. */
export function escalationTarget(type: IncidentType): Severity | null {
  return SEVERITY_MATRIX[type].escalates_to;
}

/** Per-service request and failure counts in time buckets over the longest window asked about (arrival time). */
class RateSeries {
  readonly requests: Float64Array;
  readonly failures: Float64Array;
  /** Which bucket number each slot currently holds. */
  readonly bucketOf: Float64Array;

  constructor(slots: number) {
    this.requests = new Float64Array(slots);
    this.failures = new Float64Array(slots);
    this.bucketOf = new Float64Array(slots).fill(-1);
  }
}

export class ServiceRates {
  private readonly series = new Map<string, RateSeries>();
  readonly slots: number;

  constructor(
    private readonly bucketMs: number,
    windowMs: number,
    private readonly maxServices: number,
  ) {
    this.slots = Math.ceil(windowMs / bucketMs) + 1;
  }

  get size(): number {
    return this.series.size;
  }

  add(service: string, totals: ServiceTotals, now: number): void {
    if (!(totals.requests > 0)) return;
    let series = this.series.get(service);
    if (series === undefined) {
      makeRoom(this.series, this.maxServices);
      series = new RateSeries(this.slots);
    } else {
      this.series.delete(service); // re-inserted below: Map order is least recently updated first
    }
    this.series.set(service, series);
    const bucket = Math.floor(now / this.bucketMs);
    const slot = bucket % this.slots;
    if (series.bucketOf[slot] !== bucket) {
      series.bucketOf[slot] = bucket;
      series.requests[slot] = 0;
      series.failures[slot] = 0;
    }
    series.requests[slot] = (series.requests[slot] as number) + totals.requests;
    series.failures[slot] = (series.failures[slot] as number) + Math.min(Math.max(totals.failedRequests, 0), totals.requests);
  }

  /** The services with counters, least recently updated first. */
  services(): IterableIterator<string> {
    return this.series.keys();
  }

  /** Requests and failures of `service` in the buckets overlapping [now − windowMs, now]. */
  totals(service: string, windowMs: number, now: number): ServiceTotals {
    const series = this.series.get(service);
    if (series === undefined) return { requests: 0, failedRequests: 0 };
    const newest = Math.floor(now / this.bucketMs);
    const oldest = Math.max(Math.floor((now - windowMs) / this.bucketMs), newest - this.slots + 1);
    let requests = 0;
    let failedRequests = 0;
    for (let slot = 0; slot < this.slots; slot++) {
      const bucket = series.bucketOf[slot] as number;
      if (bucket >= oldest && bucket <= newest) {
        requests += series.requests[slot] as number;
        failedRequests += series.failures[slot] as number;
      }
    }
    return { requests, failedRequests };
  }

  clear(): void {
    this.series.clear();
  }
}

interface Baseline {
  mean: number;
  samples: number;
}

/** Per-service EWMA of successful server span durations (ms). */
export class LatencyBaselines {
  private readonly baselines = new Map<string, Baseline>();
  private lastService = '';
  private last: Baseline | undefined;

  constructor(
    private readonly weight: number,
    private readonly clipFactor: number,
    private readonly maxServices: number,
  ) {}

  get size(): number {
    return this.baselines.size;
  }

  /** Folds one duration in. The last service is cached: a batch's spans come grouped by resource. */
  add(service: string, durationMs: number): void {
    if (!(durationMs >= 0) || durationMs === Number.POSITIVE_INFINITY) return;
    let baseline = service === this.lastService ? this.last : this.baselines.get(service);
    if (baseline === undefined) {
      // Evicts the oldest inserted (refreshing Map order per span would cost a delete and a set per span).
      makeRoom(this.baselines, this.maxServices);
      baseline = { mean: durationMs, samples: 1 };
      this.baselines.set(service, baseline);
    } else {
      const clipped = Math.min(durationMs, baseline.mean * this.clipFactor);
      baseline.mean += this.weight * (clipped - baseline.mean);
      baseline.samples++;
    }
    this.lastService = service;
    this.last = baseline;
  }

  /** The service's baseline (ms) once it has `minSamples` samples, else undefined. */
  get(service: string, minSamples: number): number | undefined {
    const baseline = this.baselines.get(service);
    return baseline !== undefined && baseline.samples >= minSamples ? baseline.mean : undefined;
  }

  clear(): void {
    this.baselines.clear();
    this.lastService = '';
    this.last = undefined;
  }
}

function numberOf(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return undefined;
}

function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** The escalation decisions; pure over the options, the counters and the baselines it is given. */
export class Escalator {
  rates: ServiceRates;
  readonly baselines: LatencyBaselines;
  /** Event types whose events are "slow" (those of the enabled performance_degradation rules). */
  slowEventTypes: ReadonlySet<string> = new Set();
  private rateWindowMs: number;

  constructor(
    readonly options: EscalationOptions,
    rateWindowMs: number,
  ) {
    this.rateWindowMs = rateWindowMs;
    this.rates = this.createRates(rateWindowMs);
    this.baselines = new LatencyBaselines(options.baselineWeight, BASELINE_CLIP_FACTOR, options.maxServices);
  }

  /** Makes the request counters cover `windowMs` (rules changed); counts start over when they must grow. */
  ensureRateWindow(windowMs: number): void {
    if (windowMs <= this.rateWindowMs) return;
    this.rateWindowMs = windowMs;
    this.rates = this.createRates(windowMs);
  }

  private createRates(windowMs: number): ServiceRates {
    // At most MAX_RATE_SLOTS buckets per service, whatever the window: wider buckets for longer windows.
    const bucketMs = Math.max(this.options.rateBucketSeconds * 1000, Math.ceil(windowMs / MAX_RATE_SLOTS));
    return new ServiceRates(bucketMs, windowMs, this.options.maxServices);
  }

  /** Escalates `incident` for one event that just joined it (the event-driven rows above); true when it did. */
  onEvent(incident: Incident, event: IncidentEvent): boolean {
    const to = escalationTarget(incident.incident_type);
    if (to === null || SEVERITY_RANK[incident.severity] >= SEVERITY_RANK[to]) return false;
    const reason = this.eventReason(incident.incident_type, event);
    return reason !== null && escalate(incident, to, reason);
  }

  /** Share (0–1) of the service's requests that failed within the window; undefined below the minimum request count. */
  errorRate(service: string, windowMs: number, now: number): number | undefined {
    const totals = this.rates.totals(service, windowMs, now);
    if (totals.requests < this.options.errorRateMinRequests) return undefined;
    return totals.failedRequests / totals.requests;
  }

  /**
   * The highest failed share (errorRate) among the incident's first MAX_RATE_COMPONENTS affected components, and
   * whose it is (the first one on a tie); undefined when none has enough requests in the window. One pass over each
   * component's counters: compute it once per incident per call and hand it to whatever needs it.
   */
  worstErrorRate(incident: Incident, windowMs: number, now: number): WorstErrorRate | undefined {
    const components = incident.affected_components;
    let worst: WorstErrorRate | undefined;
    for (let i = 0; i < components.length && i < MAX_RATE_COMPONENTS; i++) {
      const service = components[i] as string;
      const share = this.errorRate(service, windowMs, now);
      if (share !== undefined && (worst === undefined || share > worst.share)) worst = { share, service };
    }
    return worst;
  }

  /**
   * error_burst: escalates when `worst` (worstErrorRate over the rule's window) exceeds the threshold; true when it
   * did.
   */
  checkErrorRate(incident: Incident, worst: WorstErrorRate | undefined): boolean {
    if (incident.incident_type !== 'error_burst' || worst === undefined) return false;
    const to = escalationTarget('error_burst') as Severity;
    if (SEVERITY_RANK[incident.severity] >= SEVERITY_RANK[to]) return false;
    const threshold = this.options.errorRateThreshold;
    if (!(worst.share > threshold)) return false;
    return escalate(
      incident,
      to,
      `${formatPercent(worst.share)} of ${quote(worst.service)} requests failed (threshold ${formatPercent(threshold)})`,
    );
  }

  /** Prolonged types: one step up (to the matrix's target) once open longer than the option; true when it did. */
  checkProlonged(incident: Incident, now: number): boolean {
    if (!PROLONGED_TYPES.has(incident.incident_type)) return false;
    const to = escalationTarget(incident.incident_type);
    if (to === null) return false;
    const openFor = now - incident.detected_at;
    const limit = this.options.prolongedAfterSeconds * 1000;
    if (!(openFor > limit)) return false;
    return escalate(incident, to, `open for ${formatDuration(openFor)} (threshold ${formatDuration(limit)})`);
  }

  private eventReason(type: IncidentType, event: IncidentEvent): string | null {
    const metadata = event.metadata;
    const options = this.options;
    switch (type) {
      case 'disk_space_low': {
        const free = numberOf(metadata['free_ratio']);
        if (free !== undefined && free < options.diskFreeRatioThreshold) {
          return `${formatPercent(free)} disk space free on ${quote(event.source)} (threshold ${formatPercent(options.diskFreeRatioThreshold)})`;
        }
        const used = numberOf(metadata['usage_percent']);
        if (used !== undefined && used > options.diskUsagePercentThreshold) {
          return `disk usage at ${formatNumber(used)}% on ${quote(event.source)} (threshold ${formatNumber(options.diskUsagePercentThreshold)}%)`;
        }
        return null;
      }
      case 'performance_degradation': {
        if (!this.slowEventTypes.has(event.event_type)) return null;
        const duration = numberOf(metadata['duration_ms']);
        if (duration === undefined) return null;
        const baseline = this.baselines.get(event.source, options.baselineMinSamples);
        if (baseline === undefined || !(baseline > 0)) return null;
        if (!(duration > options.slowdownFactor * baseline)) return null;
        return (
          `${quote(event.source)} request took ${formatNumber(duration)} ms, ${formatNumber(duration / baseline)}× ` +
          `its baseline of ${formatNumber(baseline)} ms (threshold ${formatNumber(options.slowdownFactor)}×)`
        );
      }
      case 'quality_drop': {
        const coverage = numberOf(metadata['coverage']);
        const value = coverage ?? numberOf(metadata['value']);
        if (value === undefined || !(value < options.qualityThresholdPercent)) return null;
        const metric = coverage !== undefined ? 'coverage' : typeof metadata['metric'] === 'string' ? metadata['metric'] : 'quality';
        return `${quote(metric)} at ${formatNumber(value)}% on ${quote(event.source)} (threshold ${formatNumber(options.qualityThresholdPercent)}%)`;
      }
      case 'workflow_failure_spike': {
        if (!isTrue(metadata['workflow.critical']) && !isTrue(metadata['critical'])) return null;
        const workflow = metadata['workflow.name'] ?? metadata['workflow_id'];
        return typeof workflow === 'string' && workflow !== ''
          ? `critical workflow ${quote(workflow)} failed`
          : `a critical workflow failed on ${quote(event.source)}`;
      }
      case 'network_partition':
        return isTrue(metadata['complete']) ? `complete network partition reported by ${quote(event.source)}` : null;
      case 'deadlock_detected':
        return isTrue(metadata['critical']) ? `deadlock on a critical resource in ${quote(event.source)}` : null;
      default:
        return null;
    }
  }
}
