// Strings decoded from wire bytes, one copy per recent byte sequence: a span's name repeats with nearly every span
// of its route, and decoding it each time made a new string (Buffer#toString) that the trace ring's interner then
// hashed and looked up, only to drop it for the copy it kept. Here a repeat is found by its bytes: hash, compare,
// and the string decoded the first time goes back, with no string made (bench/profile-ingest.ts: decoding and
// interning span names were ~5 % of the daemon's busy time).
//
// Direct-mapped: each byte sequence has one slot (by an FNV-1a hash of its bytes); a different sequence with the
// same slot replaces it. Sequences longer than `maxBytes` are decoded every time (long names rarely repeat).

export class ByteStringCache {
  private readonly mask: number;
  private readonly maxBytes: number;
  private readonly bytes: Uint8Array;
  /** Per slot: the length of the sequence held, -1 when empty. */
  private readonly lengths: Int32Array;
  private readonly strings: string[];

  /**
   * `decode(buf, pos, len)` makes the string for bytes not cached; it must depend on those bytes only (the cache
   * returns what it made for equal bytes). `slots` is rounded up to a power of two.
   */
  constructor(
    private readonly decode: (buf: Buffer, pos: number, len: number) => string,
    slots: number,
    maxBytes: number,
  ) {
    let size = 1;
    while (size < slots) size *= 2;
    this.mask = size - 1;
    this.maxBytes = maxBytes;
    this.bytes = new Uint8Array(size * maxBytes);
    this.lengths = new Int32Array(size).fill(-1);
    this.strings = new Array<string>(size).fill('');
  }

  /** The string for `buf[pos, pos + len)`: the cached copy when these bytes were seen last in their slot. */
  get(buf: Buffer, pos: number, len: number): string {
    const maxBytes = this.maxBytes;
    if (len > maxBytes) return this.decode(buf, pos, len);
    let hash = 0x811c9dc5;
    for (let i = 0; i < len; i++) hash = Math.imul(hash ^ (buf[pos + i] as number), 0x01000193);
    const slot = (hash >>> 0) & this.mask;
    const bytes = this.bytes;
    const at = slot * maxBytes;
    if (this.lengths[slot] === len) {
      let i = 0;
      while (i < len && bytes[at + i] === buf[pos + i]) i++;
      if (i === len) return this.strings[slot] as string;
    }
    const text = this.decode(buf, pos, len);
    bytes.set(buf.subarray(pos, pos + len), at);
    this.lengths[slot] = len;
    this.strings[slot] = text;
    return text;
  }
}
