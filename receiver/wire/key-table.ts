// Matching names on the wire against a fixed set without decoding them: attribute keys a converter reads, metric
// names a threshold rule watches. Built once at configuration time; a lookup dismisses a name of a length no entry
// has with one array load, and otherwise compares bytes from the end (names of one length mostly share a namespace
// prefix such as `system.` and differ at the end). trace/span-attribute-keys.ts is the hand-tuned span twin.

/** Names longer than this are never matched (they cost nothing but a compare of their length). */
export const MAX_KEY_TABLE_NAME_BYTES = 1024;

const NO_CANDIDATES: readonly number[] = [];

export class KeyTable {
  /** The names, by id (their index in the constructor's list). */
  readonly names: readonly string[];
  private readonly bytes: readonly Uint8Array[];
  private readonly longest: number;
  private readonly candidatesByLength: readonly (readonly number[])[];

  /** `names` are UTF-8 encoded for the compare; duplicates keep their first id. */
  constructor(names: readonly string[]) {
    this.names = names;
    this.bytes = names.map((name) => Buffer.from(name, 'utf8'));
    for (const key of this.bytes) {
      if (key.length > MAX_KEY_TABLE_NAME_BYTES) throw new Error(`name longer than ${MAX_KEY_TABLE_NAME_BYTES} bytes`);
    }
    this.longest = this.bytes.reduce((longest, key) => Math.max(longest, key.length), 0);
    const seen = new Set<string>();
    const byLength: number[][] = Array.from({ length: this.longest + 1 }, () => []);
    names.forEach((name, id) => {
      if (seen.has(name)) return;
      seen.add(name);
      byLength[this.bytes[id]!.length]!.push(id);
    });
    this.candidatesByLength = byLength.map((ids) => (ids.length === 0 ? NO_CANDIDATES : ids));
  }

  get size(): number {
    return this.names.length;
  }

  /** The id of the name spelled by `buf[pos, pos + len)`, or -1. */
  match(buf: Uint8Array, pos: number, len: number): number {
    if (len > this.longest) return -1;
    const candidates = this.candidatesByLength[len]!;
    for (let c = 0; c < candidates.length; c++) {
      const id = candidates[c]!;
      const key = this.bytes[id]!;
      let i = len - 1;
      while (i >= 0 && buf[pos + i] === key[i]) i--;
      if (i < 0) return id;
    }
    return -1;
  }
}
