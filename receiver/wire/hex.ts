// Lowercase hex of ID bytes, for correlation_id / span_id. Only spans that become events pay for it.

const BYTE_HEX: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** `buf[pos, pos + len)` as lowercase hex; '' for an empty range. */
export function hexOf(buf: Uint8Array, pos: number, len: number): string {
  let out = '';
  for (let i = pos; i < pos + len; i++) out += BYTE_HEX[buf[i]!]!;
  return out;
}
