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
/** The smallest log: what records made before any trace ring get (tests, tools), and far more than one entry. */
const MIN_LOG_BYTES = 64 * 1024;

export class SpanAttributeLog {
  /** `minBytes`: the smallest the log is made (tests make small ones to see laps). */
  constructor(private readonly minBytes = MIN_LOG_BYTES) {}

  private bytes = new Uint8Array(0);
  private size = 0;
  /** Absolute position of the current lap's first byte (a multiple of `size`). */
  private lapStart = 0;
  /** Where the next entry goes in `bytes`: its absolute position is lapStart + next. */
  private next = 0;

  /** Grows the log to at least `size` bytes (a trace ring asks for its share). What it held is forgotten. */
  reserve(wanted: number): void {
    // Never smaller than minBytes: an entry must fit a lap (a tiny ring's share would not hold one).
    const size = Math.max(wanted, this.minBytes, MAX_KEPT_ATTRIBUTE_BYTES);
    if (size <= this.size) return;
    // Zero-filled and untouched until written: the pages count towards RSS as the log first fills.
    this.bytes = new Uint8Array(size);
    // A new lap past every earlier position's reach, so they all read as overwritten (bytesAt compares); laps start
    // at multiples of the size, so a position's offset is position % size.
    this.lapStart = Math.ceil((this.lapStart + this.next + size + 1) / size) * size;
    this.next = 0;
    this.size = size;
  }

  /**
   * Copies `source[from, to)` in; returns the entry's position, -1 when empty or longer than
   * MAX_KEPT_ATTRIBUTE_BYTES. An entry never wraps: the rest of a lap too short for it is skipped.
   */
  append(source: Uint8Array, from: number, to: number): number {
    const length = to - from;
    if (length <= 0 || length > MAX_KEPT_ATTRIBUTE_BYTES) return -1;
    if (this.size === 0) this.reserve(0);
    // Offsets within the lap, no modulo: this runs for every span the receiver records.
    let at = this.next;
    if (at + length > this.size) {
      this.lapStart += this.size;
      at = 0;
    }
    // A plain view, not source.subarray(): a Buffer's subarray builds a Buffer through its species (slower).
    this.bytes.set(new Uint8Array(source.buffer, source.byteOffset + from, length), at);
    this.next = at + length;
    return this.lapStart + at;
  }

  /** A copy of the entry at `position`; empty when there is none or a later lap overwrote it. */
  bytesAt(position: number, length: number): Uint8Array {
    // Overwritten once writing reached the entry's place in the following lap.
    if (position < 0 || length <= 0 || this.lapStart + this.next > position + this.size) return new Uint8Array(0);
    const at = position % this.size;
    return this.bytes.slice(at, at + length);
  }
}

/** The process's log: the receiver appends to it, trace rings read it (and reserve their share of it). */
export const spanAttributeLog = new SpanAttributeLog();
