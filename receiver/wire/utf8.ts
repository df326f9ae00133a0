// Strings out of untrusted bytes: decoded only when needed, and never longer than the caller's bound, so a 4 MiB
// status message costs no more than the characters we keep. Invalid UTF-8 becomes U+FFFD (data, not an error):
// conversion must not reject a whole export because one attribute is not valid text.

/** A UTF-16 code unit takes at most 3 UTF-8 bytes (4 bytes make 2 units), so this many bytes always suffice. */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/** `buf[pos, pos + len)` decoded as UTF-8, cut to at most `maxChars` UTF-16 code units (never mid-surrogate). */
export function utf8Bounded(buf: Buffer, pos: number, len: number, maxChars: number): string {
  const byteBound = maxChars * MAX_UTF8_BYTES_PER_UNIT;
  const text = buf.toString('utf8', pos, pos + (len > byteBound ? byteBound : len));
  return truncateChars(text, maxChars);
}

/** `text` cut to at most `maxChars` UTF-16 code units, dropping a surrogate half left dangling by the cut. */
export function truncateChars(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let end = maxChars;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/** ASCII text as bytes, for comparing keys on the wire without decoding them. */
export function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) throw new Error(`not ASCII: ${text}`);
    out[i] = c;
  }
  return out;
}

/** Whether `buf[pos, pos + len)` holds exactly `expected`. */
export function bytesEqual(buf: Uint8Array, pos: number, len: number, expected: Uint8Array): boolean {
  if (len !== expected.length) return false;
  for (let i = 0; i < len; i++) if (buf[pos + i] !== expected[i]) return false;
  return true;
}
