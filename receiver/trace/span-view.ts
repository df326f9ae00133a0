// The reused views the trace scanner hands its visitor: offsets into the request buffer plus the few numbers the
// converter needs, so an ordinary span costs no allocation at all. Strings, hex IDs and exception details are read
// lazily, by the visitor, only for the spans that become events (or go into a trace ring later).
//
// Lifetime: a SpanViewFast describes the current span only during the visitor call that receives it; the scanner
// overwrites it for the next span, and its offsets point into the request Buffer, which grpc-js may reuse once the
// handler returns. Copy out (strings, hex) whatever must outlive the call.

import { anyValueNumber, anyValueString } from '../wire/any-value.js';
import { hexOf } from '../wire/hex.js';
import { ProtoReader } from '../wire/proto-reader.js';
import { asciiBytes, bytesEqual, utf8Bounded } from '../wire/utf8.js';
import { KEY_EXCEPTION_MESSAGE, KEY_EXCEPTION_TYPE, SPAN_KEY_COUNT } from './span-attribute-keys.js';

export const SPAN_KIND_UNSPECIFIED = 0;
export const SPAN_KIND_INTERNAL = 1;
export const SPAN_KIND_SERVER = 2;
export const SPAN_KIND_CLIENT = 3;
export const SPAN_KIND_PRODUCER = 4;
export const SPAN_KIND_CONSUMER = 5;

export const STATUS_CODE_UNSET = 0;
export const STATUS_CODE_OK = 1;
export const STATUS_CODE_ERROR = 2;

export const TRACE_ID_BYTES = 16;
export const SPAN_ID_BYTES = 8;

/** Attributes per span whose keys are compared; the rest are skipped by length (bounds work per span). */
export const MAX_SPAN_ATTRIBUTES_SCANNED = 128;
/** Span events looked at when searching for the exception of a failed span. */
export const MAX_SPAN_EVENTS_SCANNED = 64;
/** Attributes per span event looked at for `exception.type` / `exception.message`. */
export const MAX_EVENT_ATTRIBUTES_SCANNED = 64;

const NANOS_PER_MS = 1e6;
/** 2^32 / 1e6 split into an integer and a remainder part, so `ns / 1e6` of a fixed64 is exact in doubles. */
const TWO_POW_32_MS_INT = 4294;
const TWO_POW_32_MS_REMAINDER_NS = 967296;
const TWO_POW_32 = 4294967296;

const EXCEPTION_EVENT_NAME = asciiBytes('exception');
const EXCEPTION_TYPE_KEY = asciiBytes('exception.type');
const EXCEPTION_MESSAGE_KEY = asciiBytes('exception.message');

const KIND_NAMES: readonly string[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];

/** Epoch milliseconds (floored) of a fixed64 nanosecond time given as unsigned 32-bit halves; exact. */
export function nanosToMs(lo: number, hi: number): number {
  return hi * TWO_POW_32_MS_INT + Math.floor((hi * TWO_POW_32_MS_REMAINDER_NS + lo) / NANOS_PER_MS);
}

/**
 * Epoch milliseconds with the sub-millisecond fraction (a double near 1.7e12 resolves about 0.25 µs): span start and
 * end, so a 250 µs span does not read as 0 ms.
 */
export function nanosToFractionalMs(lo: number, hi: number): number {
  return hi * TWO_POW_32_MS_INT + (hi * TWO_POW_32_MS_REMAINDER_NS + lo) / NANOS_PER_MS;
}

/** What the scanner learned about the current ResourceSpans. Reused like SpanViewFast. */
export class ResourceViewFast {
  /** Index of the ResourceSpans in the request. */
  index = 0;
  /** `service.name`, or null when the resource has none. Decoded once per resource. */
  serviceName: string | null = null;
  /** Byte range of the (last) Resource message, or -1/-1 when absent. */
  start = -1;
  end = -1;
}

export class SpanViewFast {
  readonly buf: Buffer;
  /** A reader for lazy reads by visitors, separate from the scanner's cursor. */
  readonly values: ProtoReader;
  /** Index of the span within its ResourceSpans, counted across scopes (for error messages). */
  index = 0;
  /** Byte range of the Span message. */
  start = 0;
  end = 0;
  traceIdPos = 0;
  traceIdLen = 0;
  spanIdPos = 0;
  spanIdLen = 0;
  parentPos = 0;
  parentLen = 0;
  namePos = 0;
  nameLen = 0;
  kind = SPAN_KIND_UNSPECIFIED;
  startLo = 0;
  startHi = 0;
  endLo = 0;
  endHi = 0;
  flags = 0;
  statusCode = STATUS_CODE_UNSET;
  statusMessagePos = 0;
  statusMessageLen = 0;
  /** KeyValue fields seen (scanned or not) and span events seen (never scanned by the first pass). */
  attributeCount = 0;
  eventCount = 0;
  /**
   * The attributes the span record keeps (span-attributes.ts), as the scanner found them: whole KeyValue fields as
   * sent, tags included, from the first that fits on its own, then each next one while the run stays within
   * MAX_KEPT_ATTRIBUTE_BYTES. The first that does not fit ends the run (nothing after it follows on from keptTo),
   * and so does any other field between two attributes: the run is one slice of the request. Byte range in `buf`,
   * -1/-1 when none.
   */
  keptFrom = -1;
  keptTo = -1;

  /** AnyValue byte range per known key id (span-attribute-keys.ts); start -1 when the span lacks the key. */
  private readonly valueStart = new Int32Array(SPAN_KEY_COUNT).fill(-1);
  private readonly valueEnd = new Int32Array(SPAN_KEY_COUNT);
  /** Key ids set for the current span, so reset() clears only those (span-attribute-keys are few, spans many). */
  private readonly setKeys = new Int32Array(SPAN_KEY_COUNT);
  private setKeyCount = 0;

  /** Lazily found exception event attributes (value ranges), -1 when none; `exceptionScanned` guards the search. */
  private exceptionScanned = false;
  private exceptionTypeStart = -1;
  private exceptionTypeEnd = -1;
  private exceptionMessageStart = -1;
  private exceptionMessageEnd = -1;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.values = new ProtoReader(buf);
  }

  /** Forgets the previous span. */
  reset(index: number, start: number, end: number): void {
    this.index = index;
    this.start = start;
    this.end = end;
    this.traceIdLen = 0;
    this.spanIdLen = 0;
    this.parentLen = 0;
    this.nameLen = 0;
    this.kind = SPAN_KIND_UNSPECIFIED;
    this.startLo = 0;
    this.startHi = 0;
    this.endLo = 0;
    this.endHi = 0;
    this.flags = 0;
    this.statusCode = STATUS_CODE_UNSET;
    this.statusMessageLen = 0;
    this.attributeCount = 0;
    this.eventCount = 0;
    this.keptFrom = -1;
    this.keptTo = -1;
    for (let i = 0; i < this.setKeyCount; i++) this.valueStart[this.setKeys[i]!] = -1;
    this.setKeyCount = 0;
    this.exceptionScanned = false;
  }

  /** Records the AnyValue range of a known key (a later duplicate key wins). */
  setValue(key: number, start: number, end: number): void {
    if (this.valueStart[key] === -1) this.setKeys[this.setKeyCount++] = key;
    this.valueStart[key] = start;
    this.valueEnd[key] = end;
  }

  has(key: number): boolean {
    return this.valueStart[key] !== -1;
  }

  /** The attribute as a number (int, double or decimal string), NaN when absent or not numeric. */
  number(key: number): number {
    const start = this.valueStart[key]!;
    return start === -1 ? Number.NaN : anyValueNumber(this.values, start, this.valueEnd[key]!);
  }

  /** The attribute as text of at most `maxChars`; null when absent, empty or not a scalar. */
  string(key: number, maxChars: number): string | null {
    const start = this.valueStart[key]!;
    if (start === -1) return null;
    const text = anyValueString(this.values, start, this.valueEnd[key]!, maxChars);
    return text === '' ? null : text;
  }

  traceIdHex(): string {
    return hexOf(this.buf, this.traceIdPos, this.traceIdLen);
  }

  spanIdHex(): string {
    return hexOf(this.buf, this.spanIdPos, this.spanIdLen);
  }

  parentSpanIdHex(): string {
    return hexOf(this.buf, this.parentPos, this.parentLen);
  }

  name(maxChars: number): string {
    return utf8Bounded(this.buf, this.namePos, this.nameLen, maxChars);
  }

  /** Status message, or null when empty. */
  statusMessage(maxChars: number): string | null {
    return this.statusMessageLen === 0
      ? null
      : utf8Bounded(this.buf, this.statusMessagePos, this.statusMessageLen, maxChars);
  }

  kindName(): string {
    return KIND_NAMES[this.kind] ?? 'unspecified';
  }

  /** End minus start in nanoseconds; 0 when either is missing or the span ends before it starts. */
  durationNs(): number {
    if ((this.endLo | this.endHi) === 0 || (this.startLo | this.startHi) === 0) return 0;
    const ns = (this.endHi - this.startHi) * TWO_POW_32 + (this.endLo - this.startLo);
    return ns > 0 ? ns : 0;
  }

  /** End time (else start time) in epoch ms; 0 when the span carries neither (the engine substitutes arrival). */
  timestampMs(): number {
    if ((this.endLo | this.endHi) !== 0) return nanosToMs(this.endLo, this.endHi);
    return nanosToMs(this.startLo, this.startHi);
  }

  /** `exception.type` of the span's last exception event (else of a span attribute of that name). */
  exceptionType(maxChars: number): string | null {
    this.findException();
    if (this.exceptionTypeStart !== -1) {
      const text = anyValueString(this.values, this.exceptionTypeStart, this.exceptionTypeEnd, maxChars);
      if (text !== null && text !== '') return text;
    }
    return this.string(KEY_EXCEPTION_TYPE, maxChars);
  }

  /** `exception.message` of the span's last exception event (else of a span attribute of that name). */
  exceptionMessage(maxChars: number): string | null {
    this.findException();
    if (this.exceptionMessageStart !== -1) {
      const text = anyValueString(this.values, this.exceptionMessageStart, this.exceptionMessageEnd, maxChars);
      if (text !== null && text !== '') return text;
    }
    return this.string(KEY_EXCEPTION_MESSAGE, maxChars);
  }

  /**
   * Second, bounded pass over the span's events for the last one named `exception`. Only failed spans pay for it.
   *
   * Span (trace.proto)      Span.Event
   *   11 events  LEN          2 name        LEN
   *                           3 attributes  LEN (KeyValue: 1 key LEN, 2 value LEN)
   */
  private findException(): void {
    if (this.exceptionScanned) return;
    this.exceptionScanned = true;
    this.exceptionTypeStart = -1;
    this.exceptionMessageStart = -1;
    if (this.eventCount === 0) return;
    const r = this.values;
    const buf = this.buf;
    const end = this.end;
    let eventsSeen = 0;
    r.pos = this.start;
    while (r.pos < end && eventsSeen < MAX_SPAN_EVENTS_SCANNED) {
      const tag = r.uint32(end);
      if (tag !== 0x5a) {
        // anything but 11 events LEN
        r.skip(tag, end);
        continue;
      }
      eventsSeen++;
      const eventEnd = r.payloadEnd(end);
      let isException = false;
      let typeStart = -1;
      let typeEnd = -1;
      let messageStart = -1;
      let messageEnd = -1;
      let attributesSeen = 0;
      while (r.pos < eventEnd) {
        const eventTag = r.uint32(eventEnd);
        if (eventTag === 0x12) {
          // 2 name LEN
          const len = r.length(eventEnd);
          isException = bytesEqual(buf, r.pos, len, EXCEPTION_EVENT_NAME);
          r.pos += len;
        } else if (eventTag === 0x1a && attributesSeen++ < MAX_EVENT_ATTRIBUTES_SCANNED) {
          // 3 attributes LEN
          const kvEnd = r.payloadEnd(eventEnd);
          r.keyValue(kvEnd);
          const keyPos = r.kvKeyPos;
          const keyLen = r.kvKeyLen;
          const valueStart = r.kvValueStart;
          const valueEnd = r.kvValueEnd;
          if (keyPos !== -1 && valueStart !== -1) {
            if (bytesEqual(buf, keyPos, keyLen, EXCEPTION_TYPE_KEY)) {
              typeStart = valueStart;
              typeEnd = valueEnd;
            } else if (bytesEqual(buf, keyPos, keyLen, EXCEPTION_MESSAGE_KEY)) {
              messageStart = valueStart;
              messageEnd = valueEnd;
            }
          }
        } else {
          r.skip(eventTag, eventEnd);
        }
      }
      if (isException && (typeStart !== -1 || messageStart !== -1)) {
        this.exceptionTypeStart = typeStart;
        this.exceptionTypeEnd = typeEnd;
        this.exceptionMessageStart = messageStart;
        this.exceptionMessageEnd = messageEnd;
      }
    }
  }
}
