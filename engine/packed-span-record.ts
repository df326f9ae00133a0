// A SpanRecord whose trace, span and parent IDs stay 32-bit words until someone reads them as text.
//
//   receiver (span-record.ts) ──▶ PackedSpanRecord{ idWords[idAt…idAt+8), fields } ──▶ TraceRing.append reads the
//                                                                                      words (no hex string per span)
//   trace_id / span_id / parent_span_id getters ──▶ hex, made on first read and kept (only spans of incident traces
//                                                   and diagnostics pay for it)
//
// Why: the receiver used to turn every span's IDs into hex strings which the ring parsed straight back into words
// (`bench/ingest.bench.ts` profile: hexOf + hexWord + the strings' garbage, ~10 % of the daemon's busy time). The
// words live in chunks shared by many records (see the receiver's allocator); a record never writes them after
// construction. Persist and serialise `toRecord()`, a plain SpanRecord: the ID getters live on the prototype, so
// structured serialisers (msgpack, spread) would not see them.

import { spanAttributeLog } from './span-attribute-log.js';
import { hex16, hex32 } from './trace-chains.js';
import type { SpanRecord } from './types.js';

/** Words per record in `idWords`: trace ID (4), span ID (2), parent span ID (2, zero when there is none). */
export const PACKED_ID_WORDS = 8;

export class PackedSpanRecord implements SpanRecord {
  private traceIdText: string | null = null;
  private spanIdText: string | null = null;
  private parentIdText: string | null = null;

  constructor(
    /** Shared storage of ID words; this record's are at [idAt, idAt + PACKED_ID_WORDS). Never written again. */
    readonly idWords: Uint32Array,
    readonly idAt: number,
    /** Whether the span has a parent (else its parent words are zero and parent_span_id is ''). */
    readonly hasParent: boolean,
    public service: string,
    public name: string,
    public kind: number,
    public start_ms: number,
    public end_ms: number,
    public status_code: number,
    public status_message: string,
    public exception_type: string,
    public exception_message: string,
    public http_status: number,
    public peer: string,
    public failed: boolean,
    public user: string,
    /**
     * Where the span's kept attributes are in the process's span attribute log (copied there out of the request:
     * its buffer may be reused once decoded), -1 when none; their length in bytes.
     */
    readonly attributeAt: number,
    readonly attributeLength: number,
    public attributes_sent: number,
  ) {}

  /** Copied out of the log on each access: only spans someone persists or looks at pay for it. */
  get attributes_wire(): Uint8Array {
    return spanAttributeLog.bytesAt(this.attributeAt, this.attributeLength);
  }

  get trace_id(): string {
    if (this.traceIdText === null) {
      const w = this.idWords;
      const at = this.idAt;
      this.traceIdText = hex32(w[at] as number, w[at + 1] as number, w[at + 2] as number, w[at + 3] as number);
    }
    return this.traceIdText;
  }

  get span_id(): string {
    if (this.spanIdText === null) {
      const w = this.idWords;
      this.spanIdText = hex16(w[this.idAt + 4] as number, w[this.idAt + 5] as number);
    }
    return this.spanIdText;
  }

  get parent_span_id(): string {
    if (this.parentIdText === null) {
      const w = this.idWords;
      this.parentIdText = this.hasParent ? hex16(w[this.idAt + 6] as number, w[this.idAt + 7] as number) : '';
    }
    return this.parentIdText;
  }

  /** A plain SpanRecord with the same values (for persistence and JSON). */
  toRecord(): SpanRecord {
    return {
      trace_id: this.trace_id,
      span_id: this.span_id,
      parent_span_id: this.parent_span_id,
      service: this.service,
      name: this.name,
      kind: this.kind,
      start_ms: this.start_ms,
      end_ms: this.end_ms,
      status_code: this.status_code,
      status_message: this.status_message,
      exception_type: this.exception_type,
      exception_message: this.exception_message,
      http_status: this.http_status,
      peer: this.peer,
      failed: this.failed,
      user: this.user,
      attributes_wire: this.attributes_wire,
      attributes_sent: this.attributes_sent,
    };
  }

  toJSON(): SpanRecord {
    return this.toRecord();
  }
}
