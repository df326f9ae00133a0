// Configuration of span → event conversion (DESIGN.md "Converting telemetry to events"): defaults, a factory that
// merges overrides, and a validator that names the bad key. The daemon maps its YAML `processors` section onto
// SpanConverterOptionsInput; everything here is checked once at start, never per span.

import { isSeverity, type Severity } from '../../engine/index.js';

/** Event types produced by the built-in span rules. */
export interface SpanEventTypes {
  /** A failed span that is neither a server span nor a database call. Default `error`. */
  error: string;
  /** A failed server span (status ERROR, or HTTP status ≥ 500). Default `api_error`. */
  apiError: string;
  /** A failed span carrying `db.system` / `db.system.name`. Default `database_connection_error`. */
  databaseError: string;
  /** A client span whose peer refused the connection or answered gRPC UNAVAILABLE / HTTP 503. Default `service_unavailable`. */
  serviceUnavailable: string;
  /** A span longer than `slowSpanThresholdMs`. Default `slow_request`. */
  slowRequest: string;
  /** A client span answered HTTP 429 (Too Many Requests) by a rate-limited API. Default `rate_limited`. */
  rateLimited: string;
}

/** Severities of the events the span rules produce (before a `firewatch.severity` attribute overrides them). */
export interface SpanEventSeverities {
  /** Default `high`. */
  error: Severity;
  /** Default `high`. */
  apiError: Severity;
  /** Default `critical`. */
  databaseError: Severity;
  /** Default `critical`. */
  serviceUnavailable: Severity;
  /** Default `medium`. */
  slowRequest: Severity;
  /** Default `medium` (the seed's API Rate Limit). */
  rateLimited: Severity;
  /** A span naming its own event type via `firewatch.event_type` that matched no other rule. Default `medium`. */
  custom: Severity;
}

export interface SpanConverterOptions {
  /** A span that took longer than this (ms) and did not fail becomes `slow_request`. Default 1000; 0 disables. */
  slowSpanThresholdMs: number;
  /** A server span with an HTTP status at or above this failed even when its status is not ERROR. Default 500. */
  httpServerErrorStatus: number;
  /** Honour the span attributes `firewatch.event_type` and `firewatch.severity`. Default true. */
  honourFirewatchAttributes: boolean;
  eventTypes: SpanEventTypes;
  severities: SpanEventSeverities;
}

/** What callers may pass: any subset, nested objects merged key by key. */
export interface SpanConverterOptionsInput {
  slowSpanThresholdMs?: number;
  httpServerErrorStatus?: number;
  honourFirewatchAttributes?: boolean;
  eventTypes?: Partial<SpanEventTypes>;
  /** Severity names in any case (`HIGH`, `High`), like the CLI's flags; validated after lowercasing. */
  severities?: Partial<Record<keyof SpanEventSeverities, string>>;
}

export const DEFAULT_SLOW_SPAN_THRESHOLD_MS = 1000;
export const DEFAULT_HTTP_SERVER_ERROR_STATUS = 500;
/** Longest event type name accepted, from configuration or from a `firewatch.event_type` attribute. */
export const MAX_EVENT_TYPE_LENGTH = 64;

export function createDefaultSpanConverterOptions(): SpanConverterOptions {
  return {
    slowSpanThresholdMs: DEFAULT_SLOW_SPAN_THRESHOLD_MS,
    httpServerErrorStatus: DEFAULT_HTTP_SERVER_ERROR_STATUS,
    honourFirewatchAttributes: true,
    eventTypes: {
      error: 'error',
      apiError: 'api_error',
      databaseError: 'database_connection_error',
      serviceUnavailable: 'service_unavailable',
      slowRequest: 'slow_request',
      rateLimited: 'rate_limited',
    },
    severities: {
      error: 'high',
      apiError: 'high',
      databaseError: 'critical',
      serviceUnavailable: 'critical',
      slowRequest: 'medium',
      rateLimited: 'medium',
      custom: 'medium',
    },
  };
}

/** Defaults merged with `overrides`, validated (throws naming the bad key, under `path`). */
export function createSpanConverterOptions(
  overrides: SpanConverterOptionsInput = {},
  path = 'spans',
): SpanConverterOptions {
  const defaults = createDefaultSpanConverterOptions();
  rejectUnknownKeys(overrides, defaults, path);
  if (overrides.eventTypes !== undefined) rejectUnknownKeys(overrides.eventTypes, defaults.eventTypes, `${path}.eventTypes`);
  if (overrides.severities !== undefined) rejectUnknownKeys(overrides.severities, defaults.severities, `${path}.severities`);
  const options: SpanConverterOptions = {
    slowSpanThresholdMs: overrides.slowSpanThresholdMs ?? defaults.slowSpanThresholdMs,
    httpServerErrorStatus: overrides.httpServerErrorStatus ?? defaults.httpServerErrorStatus,
    honourFirewatchAttributes: overrides.honourFirewatchAttributes ?? defaults.honourFirewatchAttributes,
    eventTypes: { ...defaults.eventTypes, ...stripUndefined(overrides.eventTypes) },
    severities: {
      ...defaults.severities,
      ...(lowercaseValues(stripUndefined(overrides.severities)) as Partial<SpanEventSeverities>),
    },
  };
  validateSpanConverterOptions(options, path);
  return options;
}

/** Throws an Error whose message starts with the path of the first bad key. */
export function validateSpanConverterOptions(options: SpanConverterOptions, path = 'spans'): void {
  const threshold = options.slowSpanThresholdMs;
  if (typeof threshold !== 'number' || !Number.isFinite(threshold) || threshold < 0) {
    throw new Error(`${path}.slowSpanThresholdMs: must be a finite number ≥ 0 (0 disables), got ${String(threshold)}`);
  }
  const httpStatus = options.httpServerErrorStatus;
  if (typeof httpStatus !== 'number' || !Number.isInteger(httpStatus) || httpStatus < 100 || httpStatus > 599) {
    throw new Error(`${path}.httpServerErrorStatus: must be an HTTP status 100–599, got ${String(httpStatus)}`);
  }
  if (typeof options.honourFirewatchAttributes !== 'boolean') {
    throw new Error(`${path}.honourFirewatchAttributes: must be true or false`);
  }
  for (const [key, value] of Object.entries(options.eventTypes)) {
    if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EVENT_TYPE_LENGTH) {
      throw new Error(`${path}.eventTypes.${key}: must be a non-empty string of at most ${MAX_EVENT_TYPE_LENGTH} characters`);
    }
  }
  for (const [key, value] of Object.entries(options.severities)) {
    if (typeof value !== 'string' || !isSeverity(value)) {
      throw new Error(`${path}.severities.${key}: must be one of info, low, medium, high, critical, got ${String(value)}`);
    }
  }
}

function rejectUnknownKeys(input: object, known: object, path: string): void {
  if (typeof input !== 'object' || input === null) throw new Error(`${path}: must be an object`);
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(known, key)) throw new Error(`${path}.${key}: unknown option`);
  }
}

/** Severities are accepted in any case (`HIGH`, `High`), like the CLI's flags. */
function lowercaseValues<T extends object>(input: T): T {
  return Object.fromEntries(
    Object.entries(input).map(([key, value]) => [key, typeof value === 'string' ? value.toLowerCase() : value]),
  ) as T;
}

function stripUndefined<T extends object>(input: T | undefined): Partial<T> {
  if (input === undefined) return {};
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}
