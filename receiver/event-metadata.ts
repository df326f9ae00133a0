// Bounds on what one event may carry, shared by the span, log and metric converters: strings from telemetry are
// untrusted, so every message and metadata value is cut, and metadata holds a fixed number of keys whatever the
// telemetry sends.

import { truncateChars } from './wire/utf8.js';
import { type Metadata, type MetadataValue } from '../engine/index.js';

export const MAX_MESSAGE_LENGTH = 1024;
export const MAX_METADATA_VALUE_LENGTH = 256;
export const MAX_METADATA_KEYS = 32;
/** Longest metadata key taken from telemetry (attribute names); longer keys are left out rather than cut. */
export const MAX_METADATA_KEY_LENGTH = 128;

/** Metadata with the bounds applied: at most MAX_METADATA_KEYS keys, strings cut to MAX_METADATA_VALUE_LENGTH. */
export class MetadataBuilder {
  readonly metadata: Metadata = {};
  private count = 0;

  /** Sets `key` (a later put of the same key replaces the value without using another slot). */
  put(key: string, value: MetadataValue): void {
    if (!Object.hasOwn(this.metadata, key)) {
      // `__proto__` would hit the prototype setter instead of becoming a key; telemetry may spell anything.
      if (this.count >= MAX_METADATA_KEYS || key === '__proto__') return;
      this.count++;
    }
    this.metadata[key] = typeof value === 'string' ? truncateChars(value, MAX_METADATA_VALUE_LENGTH) : value;
  }

  /** Sets `key` only when it is not set yet: telemetry attributes never overwrite the converter's own facts. */
  putIfAbsent(key: string, value: MetadataValue): void {
    if (!Object.hasOwn(this.metadata, key)) this.put(key, value);
  }

  /** Whether another new key would still fit. */
  get full(): boolean {
    return this.count >= MAX_METADATA_KEYS;
  }
}
