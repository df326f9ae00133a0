// Checks shared by the receiver's option creators, and the one error they throw: a ConfigError (common/) naming the
// path of the bad key, so the daemon reports it under the YAML key as it is, and anyone else can print
// `error.message` (`<path>: <detail>`).

import { ConfigError, describeValue } from '../common/config-checks.js';
import { MAX_EVENT_TYPE_LENGTH } from './trace/span-converter-options.js';
import { isSeverity, type Severity } from '../engine/index.js';

export { describeValue } from '../common/config-checks.js';

export class ReceiverOptionError extends ConfigError {
  override readonly name = 'ReceiverOptionError';
  /** What is wrong with it, e.g. `must be a number, got "high"`. */
  readonly detail: string;

  constructor(path: string, detail: string) {
    super(path, detail);
    this.detail = detail;
  }
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
