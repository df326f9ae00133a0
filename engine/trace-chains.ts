// The trace-ID index shared by the rings (event-ring.ts, trace-ring.ts): which slots of a FIFO ring hold the items
// of one trace.
//
//   ring push n into slot n % capacity ──▶ link(slot, n, traceId) ── evicts slot's old item from the index first
//                                          table: open addressing over typed arrays, trace ID words → slot of its
//                                                 newest item (text IDs that are not 32 lowercase hex: a Map)
//                                          per slot: push number of the previous item of its trace, the trace ID
//                                                    as four 32-bit words (a slot's own push number is derived)
//
// Each trace's items form a chain through the ring's slots (newest → previous → …), followed only while a link names
// an item still in the ring (push number ≥ pushed − size). Per-slot data lives in typed arrays, so evicting an item
// never dereferences it (with 100,000 old items that is a cache miss per push): the slot says whether it held its
// trace's newest item, and only then is the trace's table entry deleted. Eviction and indexing happen in the same
// call, so the index never outgrows the ring.
//
// Why a hand-written table instead of Map<string, slot>: at 200,000 spans/s with one span per trace, the Map took an
// insert and a delete per span keyed by a fresh 32-character string (the CPU profile of `bench/ingest.bench.ts`
// showed `link` at ~8 % self time, plus the strings' allocation and hashing). Keyed by the ID's words, the trace ring
// creates no string per span (`linkWords`), and the table is fixed-size (load ≤ 0.8), linear probing with
// backward-shift deletion: no tombstones, so probe lengths do not grow with churn. `trace-chains.test.ts` checks it
// against a Map model.

const NO_PREVIOUS = -1;
const EMPTY = -1;
const KEY_WORDS = 4;
const HEX_WORD_CHARS = 8;
const TRACE_ID_CHARS = 32;
const MIN_TABLE_SIZE = 16;
/**
 * Table entries per ring slot, at least: the load stays ≤ 0.8 even when every item is its own trace (1 span per
 * trace); a 200k ring gets 262,144 entries (2 MiB). bench/engine-trace.bench.ts: a load ≤ 1/2 table cost 10 B/span
 * more (161 vs 146 B/span budget) for no measurable push speed.
 */
const TABLE_ENTRIES_PER_SLOT = 1.25;
/** Int32s per table entry: ring slot of the trace's newest item (or EMPTY), then the key's hash (same cache line). */
const ENTRY_INTS = 2;

/** What a slot holds, per slot. */
const KEY_NONE = 0;
const KEY_WORDS_KIND = 1;
const KEY_TEXT = 2;

/** The value of each UTF-16 code unit as a lowercase hex digit, -1 for every other one (any charCodeAt result). */
const HEX_DIGIT = (() => {
  const table = new Int8Array(0x10000).fill(-1);
  for (let i = 0; i < 10; i++) table[48 + i] = i;
  for (let i = 0; i < 6; i++) table[97 + i] = 10 + i;
  return table;
})();

/**
 * The value of 8 lowercase hex characters at `offset`, or -1 when any of them is not one (or the text ends first).
 * One table read per character and one sign test for all eight: ~25 % faster than comparing ranges per character
 * (node micro-benchmark); it runs for every traced event (EventRing.findRepeat) and text-keyed span.
 */
export function hexWord(text: string, offset: number): number {
  if (offset + HEX_WORD_CHARS > text.length) return -1;
  const t = HEX_DIGIT;
  const a = t[text.charCodeAt(offset)] as number;
  const b = t[text.charCodeAt(offset + 1)] as number;
  const c = t[text.charCodeAt(offset + 2)] as number;
  const d = t[text.charCodeAt(offset + 3)] as number;
  const e = t[text.charCodeAt(offset + 4)] as number;
  const f = t[text.charCodeAt(offset + 5)] as number;
  const g = t[text.charCodeAt(offset + 6)] as number;
  const h = t[text.charCodeAt(offset + 7)] as number;
  if ((a | b | c | d | e | f | g | h) < 0) return -1;
  return ((a << 28) | (b << 24) | (c << 20) | (d << 16) | (e << 12) | (f << 8) | (g << 4) | h) >>> 0;
}

/** Char codes of the lowercase hex digits. */
const HEX_CODES = new Uint8Array([48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102]);

// Hex of ID words: one String.fromCharCode per ID, so one flat string and no intermediates (toString(16) + padStart
// and concatenation made 4-7 strings per ID; bench/ingest.bench.ts, 10 spans/trace: hex8 was 4 % of busy time,
// persisting the ring spans of traces that join an incident).

/** A 32-bit word as 8 lowercase hex characters. */
export function hex8(w: number): string {
  const h = HEX_CODES;
  return String.fromCharCode(
    h[(w >>> 28) & 15] as number, h[(w >>> 24) & 15] as number, h[(w >>> 20) & 15] as number, h[(w >>> 16) & 15] as number,
    h[(w >>> 12) & 15] as number, h[(w >>> 8) & 15] as number, h[(w >>> 4) & 15] as number, h[w & 15] as number,
  );
}

/** Two 32-bit words (a span ID) as 16 lowercase hex characters. */
export function hex16(a: number, b: number): string {
  const h = HEX_CODES;
  return String.fromCharCode(
    h[(a >>> 28) & 15] as number, h[(a >>> 24) & 15] as number, h[(a >>> 20) & 15] as number, h[(a >>> 16) & 15] as number,
    h[(a >>> 12) & 15] as number, h[(a >>> 8) & 15] as number, h[(a >>> 4) & 15] as number, h[a & 15] as number,
    h[(b >>> 28) & 15] as number, h[(b >>> 24) & 15] as number, h[(b >>> 20) & 15] as number, h[(b >>> 16) & 15] as number,
    h[(b >>> 12) & 15] as number, h[(b >>> 8) & 15] as number, h[(b >>> 4) & 15] as number, h[b & 15] as number,
  );
}

/** Four 32-bit words (a trace ID) as 32 lowercase hex characters. */
export function hex32(a: number, b: number, c: number, d: number): string {
  const h = HEX_CODES;
  return String.fromCharCode(
    h[(a >>> 28) & 15] as number, h[(a >>> 24) & 15] as number, h[(a >>> 20) & 15] as number, h[(a >>> 16) & 15] as number,
    h[(a >>> 12) & 15] as number, h[(a >>> 8) & 15] as number, h[(a >>> 4) & 15] as number, h[a & 15] as number,
    h[(b >>> 28) & 15] as number, h[(b >>> 24) & 15] as number, h[(b >>> 20) & 15] as number, h[(b >>> 16) & 15] as number,
    h[(b >>> 12) & 15] as number, h[(b >>> 8) & 15] as number, h[(b >>> 4) & 15] as number, h[b & 15] as number,
    h[(c >>> 28) & 15] as number, h[(c >>> 24) & 15] as number, h[(c >>> 20) & 15] as number, h[(c >>> 16) & 15] as number,
    h[(c >>> 12) & 15] as number, h[(c >>> 8) & 15] as number, h[(c >>> 4) & 15] as number, h[c & 15] as number,
    h[(d >>> 28) & 15] as number, h[(d >>> 24) & 15] as number, h[(d >>> 20) & 15] as number, h[(d >>> 16) & 15] as number,
    h[(d >>> 12) & 15] as number, h[(d >>> 8) & 15] as number, h[(d >>> 4) & 15] as number, h[d & 15] as number,
  );
}

/** Hash of a trace ID's four words (all of them: 64-bit trace IDs leave the high words zero). */
export function traceWordsHash(w0: number, w1: number, w2: number, w3: number): number {
  let h = Math.imul(w0, 0x9e3779b1) ^ Math.imul(w1, 0x85ebca77) ^ Math.imul(w2, 0xc2b2ae3d) ^ w3;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  return h | 0;
}

/** Words of a 32-lowercase-hex trace ID, written into `out`; false (out untouched or partly written) otherwise. */
export function traceIdWords(traceId: string, out: Uint32Array): boolean {
  if (traceId.length !== TRACE_ID_CHARS) return false;
  for (let i = 0; i < KEY_WORDS; i++) {
    const word = hexWord(traceId, i * HEX_WORD_CHARS);
    if (word < 0) return false;
    out[i] = word;
  }
  return true;
}

export class TraceChains {
  readonly capacity: number;
  /** Distinct traces indexed. */
  private count = 0;
  private readonly mask: number;
  /**
   * Open-addressing table, ENTRY_INTS per entry: ring slot of a trace's newest item (or EMPTY), and traceWordsHash of
   * its key (probing compares it before touching `keys`).
   */
  private readonly table: Int32Array;
  /** Per slot: the item's trace ID as KEY_WORDS words (when its kind is KEY_WORDS_KIND). */
  private readonly keys: Uint32Array;
  /** Per slot: KEY_NONE, KEY_WORDS_KIND or KEY_TEXT. */
  private readonly keyKind: Uint8Array;
  /** Push number of the last link call: a slot's push number is derived from it (see pushOf), not stored. */
  private lastPush = -1;
  /** Per slot: push number of the previous item of the same trace, or NO_PREVIOUS. */
  private readonly previousInTrace: Float64Array;
  /** Per slot: 1 when the item in it is its trace's newest (the one the index points at). */
  private readonly newestOfTrace: Uint8Array;
  /** Trace IDs that are not 32 lowercase hex characters (rare; tests) → slot of the newest item. */
  private readonly textTraces = new Map<string, number>();
  /** Slot → trace ID text, for KEY_TEXT slots only. */
  private readonly slotText = new Map<number, string>();
  /** Scratch for parsing string IDs (valid until the next call). */
  private readonly wordsFast = new Uint32Array(KEY_WORDS);
  /** The trace that left the index in the last link call (see leftTraceId). */
  private readonly leftWords = new Uint32Array(KEY_WORDS);
  private leftText = '';
  private leftKind = KEY_NONE;

  constructor(capacity: number) {
    this.capacity = capacity;
    let size = MIN_TABLE_SIZE;
    while (size < capacity * TABLE_ENTRIES_PER_SLOT) size *= 2;
    this.mask = size - 1;
    this.table = new Int32Array(size * ENTRY_INTS);
    this.clearTable();
    this.keys = new Uint32Array(capacity * KEY_WORDS);
    this.keyKind = new Uint8Array(capacity);
    this.previousInTrace = new Float64Array(capacity);
    this.newestOfTrace = new Uint8Array(capacity);
  }

  /** Number of distinct trace IDs indexed. */
  get size(): number {
    return this.count + this.textTraces.size;
  }

  /**
   * Indexes the item pushed as number `pushNumber` into `slot` under `traceId` ('' for none). When `evicting`, the
   * slot's previous item is dropped from the index first. Returns the trace ID that left the index with the evicted
   * item (its last item in the ring), or ''.
   */
  link(slot: number, pushNumber: number, traceId: string, evicting: boolean): string {
    const left = this.linkText(slot, pushNumber, traceId, evicting);
    return left ? this.leftTraceId() : '';
  }

  /**
   * As link, for callers holding a trace ID string; returns whether a trace left the index (leftTraceId() names it,
   * until the next call).
   */
  linkText(slot: number, pushNumber: number, traceId: string, evicting: boolean): boolean {
    const words = this.wordsFast;
    if (traceIdWords(traceId, words)) {
      return this.linkWords(slot, pushNumber, words[0] as number, words[1] as number, words[2] as number, words[3] as number, evicting);
    }
    const left = evicting && this.evict(slot);
    this.lastPush = pushNumber;
    if (traceId === '') {
      this.keyKind[slot] = KEY_NONE;
      this.newestOfTrace[slot] = 0;
      return left;
    }
    const previousSlot = this.textTraces.get(traceId);
    if (previousSlot === undefined) {
      this.previousInTrace[slot] = NO_PREVIOUS;
    } else {
      this.previousInTrace[slot] = this.pushOf(previousSlot);
      this.newestOfTrace[previousSlot] = 0;
    }
    this.textTraces.set(traceId, slot);
    this.slotText.set(slot, traceId);
    this.keyKind[slot] = KEY_TEXT;
    this.newestOfTrace[slot] = 1;
    return left;
  }

  /**
   * As link, with the trace ID as its four big-endian 32-bit words (no string): the trace ring's path. Returns whether
   * a trace left the index (leftTraceId() names it, until the next call).
   */
  linkWords(slot: number, pushNumber: number, w0: number, w1: number, w2: number, w3: number, evicting: boolean): boolean {
    const left = evicting && this.evict(slot);
    this.lastPush = pushNumber;
    const h = traceWordsHash(w0, w1, w2, w3);
    const table = this.table;
    const keys = this.keys;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const e = i * ENTRY_INTS;
      const s = table[e] as number;
      if (s === EMPTY) {
        // New trace.
        table[e] = slot;
        table[e + 1] = h;
        this.count++;
        this.previousInTrace[slot] = NO_PREVIOUS;
        break;
      }
      const k = s * KEY_WORDS;
      if (table[e + 1] === h && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) {
        this.previousInTrace[slot] = this.pushOf(s);
        this.newestOfTrace[s] = 0;
        table[e] = slot;
        break;
      }
      i = (i + 1) & mask;
    }
    const k = slot * KEY_WORDS;
    keys[k] = w0;
    keys[k + 1] = w1;
    keys[k + 2] = w2;
    keys[k + 3] = w3;
    this.keyKind[slot] = KEY_WORDS_KIND;
    this.newestOfTrace[slot] = 1;
    return left;
  }

  /** The trace ID that left the index in the last link call that said one did. */
  leftTraceId(): string {
    if (this.leftKind === KEY_TEXT) return this.leftText;
    if (this.leftKind === KEY_NONE) return '';
    const w = this.leftWords;
    return hex32(w[0] as number, w[1] as number, w[2] as number, w[3] as number);
  }

  /** Drops the item in `slot` from the index; true when it was its trace's last item (the trace left). */
  private evict(slot: number): boolean {
    const kind = this.keyKind[slot] as number;
    if (kind === KEY_TEXT) {
      const text = this.slotText.get(slot) as string;
      this.slotText.delete(slot);
      if (this.newestOfTrace[slot] !== 1) return false;
      this.textTraces.delete(text);
      this.leftKind = KEY_TEXT;
      this.leftText = text;
      return true;
    }
    if (kind !== KEY_WORDS_KIND || this.newestOfTrace[slot] !== 1) return false;
    // The trace's newest item leaves, so all its older ones already have: drop the trace.
    const keys = this.keys;
    const k = slot * KEY_WORDS;
    const leftWords = this.leftWords;
    const w0 = (leftWords[0] = keys[k] as number);
    const w1 = (leftWords[1] = keys[k + 1] as number);
    const w2 = (leftWords[2] = keys[k + 2] as number);
    const w3 = (leftWords[3] = keys[k + 3] as number);
    this.leftKind = KEY_WORDS_KIND;
    const table = this.table;
    const mask = this.mask;
    let i = traceWordsHash(w0, w1, w2, w3) & mask;
    while (table[i * ENTRY_INTS] !== slot) i = (i + 1) & mask;
    // Backward-shift deletion: move later entries of the probe run into the hole unless their home lies (cyclically)
    // after the hole, so every remaining key stays reachable from its home without tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const s = table[j * ENTRY_INTS] as number;
      if (s === EMPTY) break;
      const hash = table[j * ENTRY_INTS + 1] as number;
      const home = hash & mask;
      if (i <= j ? i < home && home <= j : i < home || home <= j) continue;
      table[i * ENTRY_INTS] = s;
      table[i * ENTRY_INTS + 1] = hash;
      i = j;
    }
    table[i * ENTRY_INTS] = EMPTY;
    this.count--;
    return true;
  }

  /** Slot of the newest item of the trace with these words, or EMPTY. */
  private findWords(w0: number, w1: number, w2: number, w3: number): number {
    const h = traceWordsHash(w0, w1, w2, w3);
    const table = this.table;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = table[i * ENTRY_INTS] as number;
      if (s === EMPTY) return EMPTY;
      const k = s * KEY_WORDS;
      if (table[i * ENTRY_INTS + 1] === h && keys[k] === w0 && keys[k + 1] === w1 && keys[k + 2] === w2 && keys[k + 3] === w3) {
        return s;
      }
    }
  }

  /**
   * Push number of the item in `slot`: the latest push that went into it. Both rings push n into slot n % capacity
   * and link every push, so it follows from the last push number (saves a Float64Array: 8 B/span).
   */
  private pushOf(slot: number): number {
    const last = this.lastPush;
    let back = (last % this.capacity) - slot;
    if (back < 0) back += this.capacity;
    return last - back;
  }

  /** Slot of the trace's newest item, or EMPTY. */
  private newestSlot(traceId: string): number {
    const words = this.wordsFast;
    if (traceIdWords(traceId, words)) {
      return this.findWords(words[0] as number, words[1] as number, words[2] as number, words[3] as number);
    }
    return this.textTraces.get(traceId) ?? EMPTY;
  }

  /** Writes the trace ID words of the item in `slot` into `out`; false (out untouched) when it has none as words. */
  wordsAt(slot: number, out: Uint32Array): boolean {
    if (this.keyKind[slot] !== KEY_WORDS_KIND) return false;
    const keys = this.keys;
    const k = slot * KEY_WORDS;
    out[0] = keys[k] as number;
    out[1] = keys[k + 1] as number;
    out[2] = keys[k + 2] as number;
    out[3] = keys[k + 3] as number;
    return true;
  }

  /** The trace ID of the item in `slot` ('' for none); words are turned into a fresh string. */
  traceIdAt(slot: number): string {
    const kind = this.keyKind[slot] as number;
    if (kind === KEY_TEXT) return this.slotText.get(slot) as string;
    if (kind === KEY_NONE) return '';
    const keys = this.keys;
    const k = slot * KEY_WORDS;
    return hex32(keys[k] as number, keys[k + 1] as number, keys[k + 2] as number, keys[k + 3] as number);
  }

  has(traceId: string): boolean {
    return this.newestSlot(traceId) !== EMPTY;
  }

  /**
   * Push numbers of the trace's items still in the ring (those ≥ `oldestPush`), newest first, at most `limit`.
   */
  pushNumbers(traceId: string, oldestPush: number, limit: number): number[] {
    return this.chainFrom(this.newestSlot(traceId), oldestPush, limit);
  }

  /** Push numbers along the chain whose newest item is in `slot`, newest first (see pushNumbers). */
  private chainFrom(slot: number, oldestPush: number, limit: number): number[] {
    const out: number[] = [];
    if (slot === EMPTY) return out;
    const capacity = this.capacity;
    for (let pushNumber = this.pushOf(slot); pushNumber >= oldestPush && out.length < limit; ) {
      out.push(pushNumber);
      pushNumber = this.previousInTrace[pushNumber % capacity] as number;
    }
    return out;
  }

  /** Push number of the trace's newest item, or -1 (then follow previousPush; allocation-free). */
  newestPush(traceId: string): number {
    const slot = this.newestSlot(traceId);
    return slot === EMPTY ? -1 : this.pushOf(slot);
  }

  /**
   * Push number of the newest item keyed by these four words, or -1 (then follow previousPush while the numbers stay
   * ≥ the ring's oldest push). Allocation-free, for a lookup made per item (event-ring.ts, identities).
   */
  newestPushOfWords(w0: number, w1: number, w2: number, w3: number): number {
    const slot = this.findWords(w0, w1, w2, w3);
    return slot === EMPTY ? -1 : this.pushOf(slot);
  }

  /** Push number of the item before `pushNumber` (still in the ring) under the same key, or -1. */
  previousPush(pushNumber: number): number {
    return this.previousInTrace[pushNumber % this.capacity] as number;
  }

  /** Trace IDs currently indexed. */
  traceIds(): string[] {
    const out: string[] = [];
    const table = this.table;
    for (let e = 0; e < table.length; e += ENTRY_INTS) {
      const s = table[e] as number;
      if (s !== EMPTY) out.push(this.traceIdAt(s));
    }
    for (const id of this.textTraces.keys()) out.push(id);
    return out;
  }

  private clearTable(): void {
    const table = this.table;
    for (let e = 0; e < table.length; e += ENTRY_INTS) table[e] = EMPTY;
  }

  clear(): void {
    this.count = 0;
    this.lastPush = -1;
    this.clearTable();
    this.textTraces.clear();
    this.slotText.clear();
    this.keyKind.fill(KEY_NONE);
    this.newestOfTrace.fill(0);
    this.leftKind = KEY_NONE;
    this.leftText = '';
  }
}
