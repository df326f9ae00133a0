// The trace ring: the most recent spans of every trace, for root cause analysis, blast radius and drill-down.
//
//   push(span) ──▶ slot = n % capacity ──▶ columns[slot] = span's fields      (the SpanRecord itself is not kept)
//                        └──▶ TraceChains.link: evicts the slot's old span from the trace index, indexes the new one
//   spansForTrace(id) ──▶ follow the trace's chain newest → oldest ──▶ fresh SpanRecords, oldest first
//
// Why columns instead of keeping the receiver's SpanRecord objects: at 200,000 spans/s every kept object (and its
// span-id strings and boxed doubles) survives two scavenges and is copied into old space, then has to be collected
// there; with columns the records die young (cheap) and the ring's memory is fixed by its capacity. Span and parent
// IDs are stored as 32-bit words (they are hex text of 8 bytes), service / span / peer names are interned (few
// distinct values), and trace IDs are words in the trace index (trace-chains.ts). Spans from the receiver come as
// PackedSpanRecords whose IDs are words already: the ring's push makes no string. bench/engine-trace.bench.ts measures bytes per span and
// pushes per second against the obvious alternative (a ring of SpanRecord references plus Map<trace, SpanRecord[]>).
//
// Capacity bounds everything: eviction is oldest first and removes the span from every index in the same push. A
// span's attributes are not a column: the receiver copied them into the span attribute log, and a slot keeps where
// (span-attribute-log.ts); they are read only for a trace someone looks at or persists.

import { StringInterner } from '../common/interner.js';
import { PackedSpanRecord } from './packed-span-record.js';
import { ATTRIBUTE_LOG_BYTES_PER_SLOT, spanAttributeLog } from './span-attribute-log.js';
import { hex16, hexWord, TraceChains } from './trace-chains.js';
import type { SpanRecord } from './types.js';

/** Default capacity of the trace ring, in spans. */
export const DEFAULT_TRACE_RING_CAPACITY = 200_000;

// Per-slot flag bits.
const KIND_MASK = 0x07;
const STATUS_SHIFT = 3;
const STATUS_MASK = 0x03;
const FLAG_FAILED = 0x20;
const FLAG_HAS_PARENT = 0x40;
/** The span's IDs are not 16 lowercase hex characters: they are kept as text in `textIds`. */
const FLAG_TEXT_IDS = 0x80;

const ID_WORDS = 4; // span hi, span lo, parent hi, parent lo
const HEX_WORD_CHARS = 8;
const SPAN_ID_CHARS = 16;
const MAX_HTTP_STATUS = 0xffff;
const MAX_KIND = 5;
const MAX_STATUS = 2;
const MAX_ATTRIBUTES_SENT = 0xffff;
/** The attributes of a span read without them (never written to: every record shares it). */
const NO_BYTES = new Uint8Array(0);

/** Distinct strings the interner keeps before it starts over (service, span and peer names). */
const INTERN_CAPACITY = 4096;
/** Longer strings are not worth interning (they are rarely repeated: URLs with IDs, messages). */
const MAX_INTERN_LENGTH = 128;

export class TraceRing {
  readonly capacity: number;
  private pushes = 0;
  private count = 0;
  private readonly chains: TraceChains;
  private readonly startMs: Float64Array;
  private readonly endMs: Float64Array;
  /** ID_WORDS per slot: span ID high and low word, parent span ID high and low word. */
  private readonly ids: Uint32Array;
  private readonly flags: Uint8Array;
  private readonly httpStatus: Uint16Array;
  private readonly service: string[];
  private readonly name: string[];
  private readonly statusMessage: string[];
  private readonly exceptionType: string[];
  private readonly exceptionMessage: string[];
  private readonly peer: string[];
  private readonly user: string[];
  /**
   * Where each span's kept attributes are in the span attribute log (-1: none), their length, and how many the span
   * was sent with. Read only when a span is looked at or persisted.
   */
  private readonly attributeAt: Float64Array;
  private readonly attributeLength: Uint16Array;
  private readonly attributesSent: Uint16Array;
  /** Slot → [span_id, parent_span_id] for the rare span whose IDs are not 16 lowercase hex characters. */
  private readonly textIds = new Map<number, readonly [string, string]>();
  private readonly interner = new StringInterner(INTERN_CAPACITY, MAX_INTERN_LENGTH);

  constructor(capacity: number = DEFAULT_TRACE_RING_CAPACITY) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`trace ring capacity must be a positive integer (got ${capacity})`);
    }
    this.capacity = capacity;
    this.chains = new TraceChains(capacity);
    this.startMs = new Float64Array(capacity);
    this.endMs = new Float64Array(capacity);
    this.ids = new Uint32Array(capacity * ID_WORDS);
    this.flags = new Uint8Array(capacity);
    this.httpStatus = new Uint16Array(capacity);
    const strings = () => new Array<string>(capacity).fill('');
    this.service = strings();
    this.name = strings();
    this.statusMessage = strings();
    this.exceptionType = strings();
    this.exceptionMessage = strings();
    this.peer = strings();
    this.user = strings();
    this.attributeAt = new Float64Array(capacity).fill(-1);
    this.attributeLength = new Uint16Array(capacity);
    this.attributesSent = new Uint16Array(capacity);
    spanAttributeLog.reserve(capacity * ATTRIBUTE_LOG_BYTES_PER_SLOT);
  }

  /** Spans in the ring. */
  get size(): number {
    return this.count;
  }

  /** Spans pushed since creation (or the last clear); the n-th push (0-based) has push number n. */
  get pushed(): number {
    return this.pushes;
  }

  /** Distinct traces with at least one span in the ring. */
  get traceCount(): number {
    return this.chains.size;
  }

  /**
   * Appends `span` (copying its fields; the record is not kept). When full, the oldest span is evicted from the ring
   * and the trace index in the same call. Returns the trace ID whose last span that eviction removed, or '' (what an
   * owner keying data by trace must drop). The span's push number is `pushed - 1` afterwards.
   */
  push(span: SpanRecord): string {
    return this.append(span) ? this.chains.leftTraceId() : '';
  }

  /**
   * As push, without naming the trace that left (the engine's path: no string per evicted trace). Returns whether a
   * trace's last span was evicted. A PackedSpanRecord's IDs are copied as words: no hex string is made or parsed.
   */
  append(span: SpanRecord): boolean {
    const pushNumber = this.pushes++;
    const capacity = this.capacity;
    const slot = pushNumber % capacity;
    const evicting = this.count === capacity;
    if (evicting) {
      if ((this.flags[slot] as number) & FLAG_TEXT_IDS) this.textIds.delete(slot);
    } else {
      this.count++;
    }
    let flags = 0;
    let left: boolean;
    if (span instanceof PackedSpanRecord) {
      // bench/ingest.bench.ts: words straight from the receiver, ~10 % of the daemon's busy time was hex round trips.
      const w = span.idWords;
      const at = span.idAt;
      left = this.chains.linkWords(slot, pushNumber, w[at] as number, w[at + 1] as number, w[at + 2] as number, w[at + 3] as number, evicting);
      const words = slot * ID_WORDS;
      const ids = this.ids;
      ids[words] = w[at + 4] as number;
      ids[words + 1] = w[at + 5] as number;
      if (span.hasParent) {
        flags = FLAG_HAS_PARENT;
        ids[words + 2] = w[at + 6] as number;
        ids[words + 3] = w[at + 7] as number;
      }
      // The receiver copied the attributes into the log already: the ring notes where.
      this.attributeAt[slot] = span.attributeAt;
      this.attributeLength[slot] = span.attributeLength;
    } else {
      left = this.chains.linkText(slot, pushNumber, span.trace_id, evicting);
      flags = this.textSpanIds(slot, span.span_id, span.parent_span_id);
      // A record made elsewhere (the store's, tests'): its bytes go into the log as the receiver's do.
      const wire = span.attributes_wire;
      const at = wire === undefined ? -1 : spanAttributeLog.append(wire, 0, wire.length);
      this.attributeAt[slot] = at;
      this.attributeLength[slot] = at === -1 ? 0 : wire!.length; // the log refuses entries over MAX_KEPT_ATTRIBUTE_BYTES
    }
    const sent = span.attributes_sent ?? 0;
    this.attributesSent[slot] = sent < MAX_ATTRIBUTES_SENT ? sent : MAX_ATTRIBUTES_SENT;
    const kind = span.kind;
    if (kind >= 0 && kind <= MAX_KIND) flags |= kind;
    const status = span.status_code;
    if (status >= 0 && status <= MAX_STATUS) flags |= status << STATUS_SHIFT;
    if (span.failed) flags |= FLAG_FAILED;
    this.flags[slot] = flags;
    const http = span.http_status;
    this.httpStatus[slot] = http > 0 && http <= MAX_HTTP_STATUS ? http : 0;
    this.startMs[slot] = span.start_ms;
    this.endMs[slot] = span.end_ms;
    const interner = this.interner;
    this.service[slot] = interner.intern(span.service);
    this.name[slot] = interner.intern(span.name);
    this.peer[slot] = interner.intern(span.peer);
    this.statusMessage[slot] = span.status_message;
    this.exceptionType[slot] = span.exception_type;
    this.exceptionMessage[slot] = span.exception_message;
    this.user[slot] = span.user;
    return left;
  }

  /** Stores span and parent IDs given as text; returns the ID flags (FLAG_HAS_PARENT, FLAG_TEXT_IDS). */
  private textSpanIds(slot: number, spanId: string, parentId: string): number {
    let flags = 0;
    const words = slot * ID_WORDS;
    const ids = this.ids;
    let textIds = spanId.length !== SPAN_ID_CHARS;
    if (!textIds) {
      const hi = hexWord(spanId, 0);
      const lo = hexWord(spanId, HEX_WORD_CHARS);
      if (hi < 0 || lo < 0) textIds = true;
      ids[words] = hi;
      ids[words + 1] = lo;
    }
    if (parentId !== '') {
      flags |= FLAG_HAS_PARENT;
      if (!textIds && parentId.length === SPAN_ID_CHARS) {
        const hi = hexWord(parentId, 0);
        const lo = hexWord(parentId, HEX_WORD_CHARS);
        if (hi < 0 || lo < 0) textIds = true;
        ids[words + 2] = hi;
        ids[words + 3] = lo;
      } else {
        textIds = true;
      }
    }
    if (textIds) {
      flags |= FLAG_TEXT_IDS;
      this.textIds.set(slot, [spanId, parentId]);
    }
    return flags;
  }

  has(traceId: string): boolean {
    return this.chains.has(traceId);
  }

  /**
   * Spans of one trace still in the ring, oldest first (fresh records); with `limit`, only the newest `limit`. Their
   * attributes only `withAttributes` (a trace someone looks at): analyses that read many traces never need them.
   */
  spansForTrace(traceId: string, limit = Number.POSITIVE_INFINITY, withAttributes = false): SpanRecord[] {
    const pushes = this.pushNumbersOf(traceId, limit);
    const spans = new Array<SpanRecord>(pushes.length);
    for (let i = 0; i < pushes.length; i++) spans[i] = this.spanAt(pushes[i] as number, traceId, withAttributes);
    return spans;
  }

  /** Push numbers of the trace's spans still in the ring, oldest first; with `limit`, only the newest `limit`. */
  pushNumbersOf(traceId: string, limit = Number.POSITIVE_INFINITY): number[] {
    return this.chains.pushNumbers(traceId, this.pushes - this.count, limit).reverse();
  }

  /**
   * The span with this push number as a fresh record; the caller makes sure it is still in the ring. A caller that
   * knows the span's trace ID (it looked the trace up) passes it, so it is not made again from the index's words.
   * `withAttributes`: the span's kept attributes too (their bytes copied out of the log); else none, and none sent.
   */
  spanAt(pushNumber: number, traceId?: string, withAttributes = false): SpanRecord {
    const slot = pushNumber % this.capacity;
    const flags = this.flags[slot] as number;
    let spanId: string;
    let parentId: string;
    if (flags & FLAG_TEXT_IDS) {
      const text = this.textIds.get(slot) as readonly [string, string];
      spanId = text[0];
      parentId = text[1];
    } else {
      const words = slot * ID_WORDS;
      const ids = this.ids;
      spanId = hex16(ids[words] as number, ids[words + 1] as number);
      parentId = flags & FLAG_HAS_PARENT ? hex16(ids[words + 2] as number, ids[words + 3] as number) : '';
    }
    // One object literal, fields in SpanRecord's order: one hidden class for every materialised span.
    return {
      trace_id: traceId ?? this.chains.traceIdAt(slot),
      span_id: spanId,
      parent_span_id: parentId,
      service: this.service[slot] as string,
      name: this.name[slot] as string,
      kind: flags & KIND_MASK,
      start_ms: this.startMs[slot] as number,
      end_ms: this.endMs[slot] as number,
      status_code: (flags >> STATUS_SHIFT) & STATUS_MASK,
      status_message: this.statusMessage[slot] as string,
      exception_type: this.exceptionType[slot] as string,
      exception_message: this.exceptionMessage[slot] as string,
      http_status: this.httpStatus[slot] as number,
      peer: this.peer[slot] as string,
      failed: (flags & FLAG_FAILED) !== 0,
      user: this.user[slot] as string,
      attributes_wire: withAttributes ? spanAttributeLog.bytesAt(this.attributeAt[slot] as number, this.attributeLength[slot] as number) : NO_BYTES,
      attributes_sent: withAttributes ? (this.attributesSent[slot] as number) : 0,
    };
  }

  /** All spans in the ring, oldest first (fresh records; for tests and diagnostics). */
  toArray(): SpanRecord[] {
    const spans: SpanRecord[] = [];
    for (let n = this.pushes - this.count; n < this.pushes; n++) spans.push(this.spanAt(n));
    return spans;
  }

  /** Trace IDs currently indexed. */
  traceIds(): string[] {
    return this.chains.traceIds();
  }

  clear(): void {
    this.pushes = 0;
    this.count = 0;
    this.chains.clear();
    this.textIds.clear();
    this.interner.clear();
    this.attributeAt.fill(-1);
    this.attributeLength.fill(0);
    this.attributesSent.fill(0);
    for (const column of [
      this.service,
      this.name,
      this.statusMessage,
      this.exceptionType,
      this.exceptionMessage,
      this.peer,
      this.user,
    ]) {
      column.fill('');
    }
  }
}

export function createTraceRing(capacity: number = DEFAULT_TRACE_RING_CAPACITY): TraceRing {
  return new TraceRing(capacity);
}
