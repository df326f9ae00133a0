// Where spans' attributes are kept while their spans are in the trace ring: one byte log, allocated once, written
// round and round, shared by the process.
//
//   receiver (span-record.ts) ── append(request bytes, from, to) ──▶ bytes[written % size …)  one native copy
//        record carries the position ─▶ TraceRing slot keeps (position, length)                  no string, no object
//   trace view / persistence ── bytesAt(position, length) ──▶ a copy of the bytes, or none once a lap overwrote them
//
// Why one log for the process: the receiver decodes a request and the ring takes its spans later (after the ingest
// queue); the request's buffer may be pooled and reused by then, so the bytes must be copied out at decode time, and
// copying them straight to where the ring keeps them makes that the only copy. Why bytes: 200,000 strings a second
// kept for minutes would all be promoted to the old generation and collected there, and fresh typed arrays would be
// external memory the scavenger cannot free (full mark-compacts); a log allocated once costs the collector nothing,
// and unlike a fixed place per ring slot it holds what spans carry, not the bound for every one.
//
// The price: when traffic carries more than ATTRIBUTE_LOG_BYTES_PER_SLOT a span on average, the oldest spans in the
// ring lose their attributes before they leave it (spans of incident traces are persisted with theirs when they join
// the incident). The bytes are opaque here: the receiver wrote them and reads them back (receiver/trace/span-attributes.ts).

/** Log bytes per trace ring slot: a span's attributes stay while the newest `capacity` spans average no more. */
export const ATTRIBUTE_LOG_BYTES_PER_SLOT = 128;
/** The most attribute bytes one span keeps (the receiver keeps no more; the log refuses longer entries). */
export const MAX_KEPT_ATTRIBUTE_BYTES = 320;
/** Size of the log before any trace ring asks for more (records made without a ring: tests, tools). */
const MIN_LOG_BYTES = 64 * 1024;

export class SpanAttributeLog {
  private bytes = new Uint8Array(0);
  private size = 0;
  /** Bytes written since creation, skips to the start of a lap included: the next entry's absolute position. */
  private written = 0;

  /** Grows the log to at least `size` bytes (a trace ring asks for its share). What it held is forgotten. */
  reserve(size: number): void {
    if (size <= this.size) return;
    // Zero-filled and untouched until written: the pages count towards RSS as the log first fills.
    this.bytes = new Uint8Array(size);
    // Every earlier position now reads as overwritten (text() compares with `written`).
    this.written += size + 1;
    this.size = size;
  }

  /**
   * Copies `source[from, to)` in; returns the entry's position, -1 when empty or longer than
   * MAX_KEPT_ATTRIBUTE_BYTES. An entry never wraps: the rest of a lap too short for it is skipped.
   */
  append(source: Uint8Array, from: number, to: number): number {
    const at = this.place(to - from);
    if (at === -1) return -1;
    // A plain view, not source.subarray(): a Buffer's subarray builds a Buffer through its species (slower).
    this.bytes.set(new Uint8Array(source.buffer, source.byteOffset + from, to - from), at);
    return this.commit(to - from);
  }

  /** A copy of the entry at `position`; empty when there is none or a later lap overwrote it. */
  bytesAt(position: number, length: number): Uint8Array {
    if (position < 0 || length <= 0 || this.written > position + this.size) return new Uint8Array(0);
    const at = position % this.size;
    return this.bytes.slice(at, at + length);
  }

  /** Where an entry of `length` bytes goes in `bytes`, or -1 when it is not kept. */
  private place(length: number): number {
    if (length <= 0 || length > MAX_KEPT_ATTRIBUTE_BYTES) return -1;
    if (this.size === 0) this.reserve(MIN_LOG_BYTES);
    const size = this.size;
    const at = this.written % size;
    if (at + length <= size) return at;
    this.written += size - at;
    return 0;
  }

  private commit(length: number): number {
    const position = this.written;
    this.written = position + length;
    return position;
  }
}

/** The process's log: the receiver appends to it, trace rings read it (and reserve their share of it). */
export const spanAttributeLog = new SpanAttributeLog();
