// Checks shared by the receiver's option creators, and the one error they throw: the path of the bad key plus what is wrong with it, so the
// daemon can re-raise it as its ConfigError under the YAML key (`new ConfigError(error.path, error.detail)`), and
// anyone else can print `error.message` (`<path>: <detail>`) as is.

import { MAX_EVENT_TYPE_LENGTH } from './trace/span-converter-options.js';
import { isSeverity, type Severity } from '../engine/index.js';

export class ReceiverOptionError extends Error {
  override readonly name = 'ReceiverOptionError';
  /** Dotted path of the offending key, e.g. `processors.convert.metrics.thresholds[1].above`. */
  readonly path: string;
  /** What is wrong with it, e.g. `must be a number, got "high"`. */
  readonly detail: string;

  constructor(path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.path = path;
    this.detail = detail;
  }
}

/** A value as it may appear in an error message: short, never the whole of a large input. */
export function describeValue(raw: unknown): string {
  if (raw === null || raw === undefined) return 'nothing';
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 60)}…` : raw);
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'a mapping';
  return String(raw);
}

export function isPlainObject(raw: unknown): raw is Record<string, unknown> {
  return typeof raw === 'object' && raw !== null && !Array.isArray(raw);
}

/** A severity name in any case (`HIGH`, `High`), like the CLI's flags. */
export function parseSeverity(raw: unknown, path: string): Severity {
  const lower = typeof raw === 'string' ? raw.toLowerCase() : '';
  if (!isSeverity(lower)) {
    throw new ReceiverOptionError(path, `must be one of info, low, medium, high, critical, got ${describeValue(raw)}`);
  }
  return lower;
}

/** An event type name: non-empty, at most MAX_EVENT_TYPE_LENGTH characters. */
export function parseEventType(raw: unknown, path: string): string {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_EVENT_TYPE_LENGTH) {
    throw new ReceiverOptionError(
      path,
      `must be a non-empty string of at most ${MAX_EVENT_TYPE_LENGTH} characters, got ${describeValue(raw)}`,
    );
  }
  return raw;
}
