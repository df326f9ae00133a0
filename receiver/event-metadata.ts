// Bounds on what one event may carry, shared by the span, log and metric converters: strings from telemetry are
// untrusted, so every message and metadata value is cut, and metadata holds a fixed number of keys whatever the
// telemetry sends.

import { StringInterner } from '../common/interner.js';
import { truncateChars } from './wire/utf8.js';
import { type Metadata, type MetadataValue } from '../engine/index.js';

export const MAX_MESSAGE_LENGTH = 1024;
export const MAX_METADATA_VALUE_LENGTH = 256;
export const MAX_METADATA_KEYS = 32;
/**
 * Characters one event's metadata may hold in all (keys plus string values; other values count 8): 32 values of 256
 * characters would be ~8 KB per event, and the event ring holds 100,000 events.
 */
export const MAX_METADATA_CHARS = 2048;
/** Counted for a number or boolean value. */
const SCALAR_CHARS = 8;
/** A string cut shorter than this to fit the budget is left out instead. */
const MIN_CUT_VALUE_LENGTH = 16;
/** Longest metadata key taken from telemetry (attribute names); longer keys are left out rather than cut. */
export const MAX_METADATA_KEY_LENGTH = 128;

/** Distinct event strings a converter keeps one copy of before it starts over. */
const EVENT_STRINGS_CAPACITY = 4096;
/** Longer event strings are kept as they came (rarely repeated: URLs with IDs, stack-bearing messages). */
const MAX_INTERNED_EVENT_STRING = 128;

/**
 * What a converter keeps one copy of its events' names with (source, the messages made from names, and the metadata
 * values put with putName): the event ring keeps 100,000 events, and without it every one held its own copy of its
 * service, route and span names (bench/engine-trace.bench.ts, "engine bytes per event").
 */
export function createEventStrings(): StringInterner {
  return new StringInterner(EVENT_STRINGS_CAPACITY, MAX_INTERNED_EVENT_STRING);
}

/**
 * Metadata with the bounds applied: at most MAX_METADATA_KEYS keys, strings cut to MAX_METADATA_VALUE_LENGTH, and
 * MAX_METADATA_CHARS in all (converters put their own facts first, so what a budget leaves out is telemetry's).
 */
export class MetadataBuilder {
  readonly metadata: Metadata = {};
  private count = 0;
  private chars = 0;

  /** `names`: the converter's interner for the values put with putName (none: every value kept as given). */
  constructor(private readonly names: StringInterner | null = null) {}

  /** Sets `key` (a later put of the same key replaces the value without using another slot). */
  put(key: string, value: MetadataValue): void {
    this.set(key, value, false);
  }

  /**
   * Sets `key` to a value that names something and repeats across events (a span, route, status, peer): the one copy
   * the converter keeps of it is stored. IDs and free text go through put: each would take a table entry for nothing.
   */
  putName(key: string, value: string): void {
    this.set(key, value, this.names !== null);
  }

  private set(key: string, value: MetadataValue, intern: boolean): void {
    const replacing = Object.hasOwn(this.metadata, key);
    // `__proto__` would hit the prototype setter instead of becoming a key; telemetry may spell anything.
    if (!replacing && (this.count >= MAX_METADATA_KEYS || key === '__proto__')) return;
    const old = replacing ? charsOf(key, this.metadata[key]!) : 0;
    let stored = typeof value === 'string' ? truncateChars(value, MAX_METADATA_VALUE_LENGTH) : value;
    const room = MAX_METADATA_CHARS - (this.chars - old);
    if (charsOf(key, stored) > room) {
      if (typeof stored !== 'string' || room - key.length < MIN_CUT_VALUE_LENGTH) return;
      stored = truncateChars(stored, room - key.length);
    }
    if (!replacing) this.count++;
    this.chars += charsOf(key, stored) - old;
    this.metadata[key] = intern && typeof stored === 'string' ? this.names!.intern(stored) : stored;
  }

  /** Sets `key` only when it is not set yet: telemetry attributes never overwrite the converter's own facts. */
  putIfAbsent(key: string, value: MetadataValue): void {
    if (!Object.hasOwn(this.metadata, key)) this.put(key, value);
  }

  /** Whether another new key would still fit. */
  get full(): boolean {
    return this.count >= MAX_METADATA_KEYS || this.chars >= MAX_METADATA_CHARS - MIN_CUT_VALUE_LENGTH;
  }
}

function charsOf(key: string, value: MetadataValue): number {
  return key.length + (typeof value === 'string' ? value.length : SCALAR_CHARS);
}
