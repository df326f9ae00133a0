// Reusable buffers for request messages that arrive in pieces and must be made contiguous for the scanners.
//
//   acquire(length) ─▶ a view of `length` bytes on a pooled slab (power-of-two size class) ─▶ decode ─▶ release(view)
//
// Why: every export's bytes are external memory to V8 (ArrayBuffer backing stores). A fresh buffer per export, on
// top of the socket reads node allocates anyway, made external memory grow faster than scavenges freed it, and V8
// answered with a full mark-compact every ~0.5 s ("external memory pressure", bench/profile-ingest.ts with
// --trace-incremental-marking). Pooled, an export costs one allocation only when no slab of its class is free.
//
// A released view must not be read again: its slab goes to the next message. Bounded: at most `maxPooledBytes` of free
// slabs are kept, and messages above the largest class are allocated as they come and never pooled.

const MIN_CLASS_BITS = 14; // 16 KiB: smaller messages come in one piece, or are cheap
const MAX_CLASS_BITS = 24; // 16 MiB

export class MessageBufferPool {
  /** Free slabs by size class (index = bits − MIN_CLASS_BITS). */
  private readonly free: ArrayBuffer[][] = Array.from({ length: MAX_CLASS_BITS - MIN_CLASS_BITS + 1 }, () => []);
  private freeBytes = 0;
  /** Slabs given out and not back yet: release() takes only those, once each. */
  private readonly lent = new WeakSet<ArrayBuffer>();

  constructor(private readonly maxPooledBytes: number) {}

  /** A buffer of exactly `length` bytes (contents undefined); give it back with release() once nothing reads it. */
  acquire(length: number): Buffer {
    const bits = classBits(length);
    if (bits > MAX_CLASS_BITS) return Buffer.allocUnsafe(length);
    let slab = this.free[bits - MIN_CLASS_BITS]!.pop();
    if (slab === undefined) slab = new ArrayBuffer(1 << bits);
    else this.freeBytes -= slab.byteLength;
    this.lent.add(slab);
    return Buffer.from(slab, 0, length);
  }

  /** Takes back a buffer acquire() gave out (others are ignored); the caller must not read it afterwards. */
  release(buffer: Buffer): void {
    const slab = buffer.buffer;
    if (!(slab instanceof ArrayBuffer) || !this.lent.delete(slab)) return;
    if (this.freeBytes + slab.byteLength > this.maxPooledBytes) return;
    this.free[classBits(slab.byteLength) - MIN_CLASS_BITS]!.push(slab);
    this.freeBytes += slab.byteLength;
  }

  /** Bytes of free slabs held. */
  get pooledBytes(): number {
    return this.freeBytes;
  }
}

/** The size class (log2 of the slab size) for a message of `length` bytes. */
function classBits(length: number): number {
  let bits = MIN_CLASS_BITS;
  while (bits <= MAX_CLASS_BITS && 1 << bits < length) bits++;
  return bits;
}
