// Configuration of log record → event conversion (DESIGN.md "Converting telemetry to events"): defaults, a factory
// that merges overrides, and per-key checks the daemon can use for its YAML keys. Everything is checked once at
// start (ReceiverOptionError naming the key), never per record.
//
//   processors.convert.logs.min_severity_number: 17   →  parseMinSeverityNumber(raw, 'processors.convert.logs.min_severity_number')
//   LogConverterOptionsInput (camelCase, receivers)   →  createLogConverterOptions(input, 'grpc.logConverter')

import { describeValue, isPlainObject, parseEventType, parseSeverity, ReceiverOptionError } from '../option-checks.js';
import { type Severity } from '../../engine/index.js';

/** SeverityNumber values of logs.proto that the defaults refer to. */
export const SEVERITY_NUMBER_MIN = 1;
export const SEVERITY_NUMBER_WARN = 13;
export const SEVERITY_NUMBER_ERROR = 17;
export const SEVERITY_NUMBER_FATAL = 21;
export const SEVERITY_NUMBER_MAX = 24;

/** Severities of log events (before a `firewatch.severity` attribute overrides them). */
export interface LogEventSeverities {
  /** severity_number ≥ 21 (FATAL…FATAL4). Default `critical`. */
  fatal: Severity;
  /** severity_number ≥ 17 (ERROR…ERROR4). Default `high`. */
  error: Severity;
  /** Below ERROR (a record that is an event only through `firewatch.event_type`, or a lowered minimum). Default `medium`. */
  other: Severity;
}

export interface LogConverterOptions {
  /**
   * A record whose severity_number is at least this (1–24) becomes an event. Default 17 (ERROR). A record with
   * severity_number 0 (unspecified) is judged by its severity_text (`ERROR`, `FATAL`, `WARN`, …) instead.
   */
  minSeverityNumber: number;
  /** Honour the log attributes `firewatch.event_type` (any record becomes an event) and `firewatch.severity`. Default true. */
  honourFirewatchAttributes: boolean;
  /** Event type when neither `firewatch.event_type`, `event.name` nor `exception.type` names one. Default `error`. */
  defaultEventType: string;
  severities: LogEventSeverities;
}

/** What callers may pass: any subset, `severities` merged key by key (names in any case). */
export interface LogConverterOptionsInput {
  minSeverityNumber?: number;
  honourFirewatchAttributes?: boolean;
  defaultEventType?: string;
  severities?: Partial<Record<keyof LogEventSeverities, string>>;
}

export function createDefaultLogConverterOptions(): LogConverterOptions {
  return {
    minSeverityNumber: SEVERITY_NUMBER_ERROR,
    honourFirewatchAttributes: true,
    defaultEventType: 'error',
    severities: { fatal: 'critical', error: 'high', other: 'medium' },
  };
}

/** Defaults merged with `input`, validated; throws ReceiverOptionError naming `<path>.<key>`. */
export function createLogConverterOptions(input: LogConverterOptionsInput = {}, path = 'logs'): LogConverterOptions {
  if (!isPlainObject(input)) throw new ReceiverOptionError(path, `must be a mapping, got ${describeValue(input)}`);
  const defaults = createDefaultLogConverterOptions();
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(defaults, key)) throw new ReceiverOptionError(`${path}.${key}`, 'unknown option');
  }
  const options: LogConverterOptions = { ...defaults, severities: { ...defaults.severities } };
  if (input.minSeverityNumber !== undefined) {
    options.minSeverityNumber = parseMinSeverityNumber(input.minSeverityNumber, `${path}.minSeverityNumber`);
  }
  if (input.honourFirewatchAttributes !== undefined) {
    if (typeof input.honourFirewatchAttributes !== 'boolean') {
      throw new ReceiverOptionError(`${path}.honourFirewatchAttributes`, 'must be true or false');
    }
    options.honourFirewatchAttributes = input.honourFirewatchAttributes;
  }
  if (input.defaultEventType !== undefined) {
    options.defaultEventType = parseEventType(input.defaultEventType, `${path}.defaultEventType`);
  }
  if (input.severities !== undefined) {
    const severities: unknown = input.severities;
    if (!isPlainObject(severities)) {
      throw new ReceiverOptionError(`${path}.severities`, `must be a mapping, got ${describeValue(severities)}`);
    }
    for (const [key, raw] of Object.entries(severities)) {
      if (!Object.hasOwn(defaults.severities, key)) throw new ReceiverOptionError(`${path}.severities.${key}`, 'unknown option');
      if (raw === undefined) continue;
      options.severities[key as keyof LogEventSeverities] = parseSeverity(raw, `${path}.severities.${key}`);
    }
  }
  return options;
}

/** The YAML check for `min_severity_number`: an integer 1–24; throws ReceiverOptionError under `path`. */
export function parseMinSeverityNumber(raw: unknown, path: string): number {
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < SEVERITY_NUMBER_MIN || raw > SEVERITY_NUMBER_MAX) {
    throw new ReceiverOptionError(
      path,
      `must be a whole number from ${SEVERITY_NUMBER_MIN} to ${SEVERITY_NUMBER_MAX} (17 = ERROR, 21 = FATAL), got ${describeValue(raw)}`,
    );
  }
  return raw;
}
