// The flags of `firewatch incidents simulate` and `firewatch demo`, checked before anything is sent: a bad value
// is a usage error (exit 2) naming the flag. Defaults that depend on the live rule (event count, time span) are
// left undefined here and filled in once the rule is known.

import { MAX_DEMO_DURATION_SECONDS, MIN_DEMO_DURATION_SECONDS, DEFAULT_DEMO_DURATION_SECONDS } from './demo-scenario.js';
import { normalizeEndpoint } from './endpoint.js';
import { checkComponents, isSimulatedType, MAX_EVENTS_PER_COMPONENT, SIMULATED_TYPES, type SimulatedType } from './simulations.js';
import { isSeverity, type Severity } from '../../api/vocabulary.js';

export const DEFAULT_TIMEOUT_SECONDS = 15;
export const MAX_TIMEOUT_SECONDS = 600;
/** A week: older events fall out of every window and retention anyway. */
export const MAX_TIME_SPAN_SECONDS = 7 * 24 * 3600;

export type OutputFormat = 'table' | 'json' | 'csv';

export interface SimulateOptions {
  type: SimulatedType;
  severity?: Severity;
  /** Undefined: the type's default components. */
  components?: string[];
  /** Events per component; undefined: the rule's threshold + 2. */
  eventCount?: number;
  /** Undefined: half the rule's window, at most a minute. */
  timeSpanSeconds?: number;
  /** Normalized host:port; undefined: the daemon's OTLP/gRPC listener. */
  endpoint?: string;
  timeoutSeconds: number;
  format: OutputFormat;
}

export interface DemoOptions {
  endpoint?: string;
  durationSeconds: number;
}

type Flags = Record<string, string | number | boolean | string[] | undefined>;
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

function fail<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

function endpointFlag(flags: Flags): Parsed<string | undefined> {
  if (flags.endpoint === undefined) return { ok: true, value: undefined };
  const endpoint = normalizeEndpoint(String(flags.endpoint));
  if (endpoint === null) {
    return fail(`--endpoint needs HOST:PORT of an OTLP/gRPC receiver (plaintext), e.g. 127.0.0.1:4317; got ${JSON.stringify(flags.endpoint)}`);
  }
  return { ok: true, value: endpoint };
}

export function parseSimulateOptions(flags: Flags): Parsed<SimulateOptions> {
  const type = flags.type;
  if (type === undefined) return fail(`--type is required (one of ${SIMULATED_TYPES.join(', ')})`);
  if (typeof type !== 'string' || !isSimulatedType(type)) return fail(`--type must be one of ${SIMULATED_TYPES.join(', ')}; got ${JSON.stringify(type)}`);
  const options: SimulateOptions = { type, timeoutSeconds: DEFAULT_TIMEOUT_SECONDS, format: 'table' };

  if (flags.severity !== undefined) {
    const severity = String(flags.severity).toLowerCase();
    if (!isSeverity(severity)) return fail(`--severity must be one of info, low, medium, high, critical; got ${JSON.stringify(flags.severity)}`);
    options.severity = severity;
  }
  if (flags.components !== undefined) {
    const components = flags.components as string[];
    const problem = checkComponents(components);
    if (problem !== null) return fail(`--components ${problem}`);
    options.components = [...components];
  }
  if (flags['event-count'] !== undefined) {
    const count = flags['event-count'] as number;
    if (!Number.isInteger(count) || count < 1 || count > MAX_EVENTS_PER_COMPONENT) {
      return fail(`--event-count needs a whole number of events per component from 1 to ${MAX_EVENTS_PER_COMPONENT}; got ${count}`);
    }
    options.eventCount = count;
  }
  if (flags['time-span'] !== undefined) {
    const span = flags['time-span'] as number;
    if (span > MAX_TIME_SPAN_SECONDS) return fail(`--time-span is at most ${MAX_TIME_SPAN_SECONDS} seconds (a week); got ${span}`);
    options.timeSpanSeconds = span;
  }
  if (flags.timeout !== undefined) {
    const timeout = flags.timeout as number;
    if (timeout <= 0 || timeout > MAX_TIMEOUT_SECONDS) return fail(`--timeout needs seconds above 0, at most ${MAX_TIMEOUT_SECONDS}; got ${timeout}`);
    options.timeoutSeconds = timeout;
  }
  const endpoint = endpointFlag(flags);
  if (!endpoint.ok) return endpoint;
  if (endpoint.value !== undefined) options.endpoint = endpoint.value;
  if (flags.format !== undefined) options.format = flags.format as OutputFormat;
  return { ok: true, value: options };
}

export function parseDemoOptions(flags: Flags): Parsed<DemoOptions> {
  const duration = (flags.duration as number | undefined) ?? DEFAULT_DEMO_DURATION_SECONDS;
  if (duration < MIN_DEMO_DURATION_SECONDS || duration > MAX_DEMO_DURATION_SECONDS) {
    return fail(`--duration needs ${MIN_DEMO_DURATION_SECONDS} to ${MAX_DEMO_DURATION_SECONDS} seconds; got ${duration}`);
  }
  const endpoint = endpointFlag(flags);
  if (!endpoint.ok) return endpoint;
  return { ok: true, value: { durationSeconds: duration, ...(endpoint.value !== undefined ? { endpoint: endpoint.value } : {}) } };
}
