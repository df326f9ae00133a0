// The gRPC wire format inside HTTP/2, as far as a unary server needs it (https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md):
//
//   request DATA  ─▶ MessageAssembler ─▶ one Length-Prefixed-Message: 1 byte Compressed-Flag, 4 bytes big-endian
//                                        Message-Length, the message (its length checked before a byte is kept)
//   grpc-timeout  ─▶ parseGrpcTimeout   TimeoutValue (1–8 ASCII digits) TimeoutUnit (H M S m u n)
//   response      ◀─ frameMessage       the same 5-byte prefix, uncompressed
//   grpc-message  ◀─ percentEncode      Percent-Encoded (bytes outside 0x20–0x7E, and '%', as %XX of their UTF-8)
//   *-bin headers ◀─ base64 without padding (implementations accept both; the spec says emit unpadded)
//
// Everything here is pure and reads untrusted bytes: grpc-framing.property.test.ts throws random input at it.

import { status as GrpcStatus } from '@grpc/grpc-js';
import type { MessageBufferPool } from './message-buffer-pool.js';

export const MESSAGE_PREFIX_BYTES = 5;
const MAX_TIMEOUT_DIGITS = 8;

const MS_PER_UNIT: Readonly<Record<string, number>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 1e-3,
  n: 1e-6,
};

/**
 * The grpc-timeout header in milliseconds: Infinity when absent, NaN when it is not `TimeoutValue TimeoutUnit`. A
 * timeout that rounds to 0 ms stays a fraction (the deadline has passed by the time the call is looked at).
 */
export function parseGrpcTimeout(value: string | string[] | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'string') return Number.NaN;
  const digits = value.length - 1;
  if (digits < 1 || digits > MAX_TIMEOUT_DIGITS) return Number.NaN;
  const perUnit = MS_PER_UNIT[value[digits]!];
  if (perUnit === undefined) return Number.NaN;
  let amount = 0;
  for (let i = 0; i < digits; i++) {
    const c = value.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return Number.NaN;
    amount = amount * 10 + c;
  }
  return amount * perUnit;
}

/** A request the assembler refuses, with the gRPC status to answer. */
export class FramingError extends Error {
  override readonly name = 'FramingError';
  constructor(
    readonly code: GrpcStatus,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Collects the DATA chunks of a unary request into its one message. A message that arrives in one chunk is kept as
 * a view of that chunk (no copy); otherwise a buffer of the announced length (from `pool`, when given) is taken once
 * its prefix is in and the chunks are copied into it as they come. The announced length is checked against
 * `maxMessageBytes` before anything is kept, so an oversize request costs nothing but its prefix.
 */
export class MessageAssembler {
  /** The prefix when it arrives split across chunks (rare: made then). */
  private prefix: Buffer | null = null;
  private prefixHave = 0;
  /** The message being filled (null until its prefix is complete). */
  private message: Buffer | null = null;
  private messageHave = 0;
  /** The message buffer came from the pool (and goes back on release()). */
  private pooled = false;
  /** Whether the (first) message's Compressed-Flag was set. */
  compressed = false;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly pool?: MessageBufferPool,
  ) {}

  /** Takes the next chunk of the request body; throws FramingError when the request cannot be served. */
  push(chunk: Buffer): void {
    let at = 0;
    const length = chunk.length;
    while (at < length) {
      const message = this.message;
      if (message !== null) {
        if (this.messageHave === message.length) {
          throw new FramingError(GrpcStatus.UNIMPLEMENTED, 'a unary call takes exactly one request message, got more');
        }
        const take = Math.min(message.length - this.messageHave, length - at);
        chunk.copy(message, this.messageHave, at, at + take);
        this.messageHave += take;
        at += take;
        continue;
      }
      if (this.prefixHave === 0 && length - at >= MESSAGE_PREFIX_BYTES) {
        // The prefix in one piece; and when the whole message is in this chunk too, a view of it (no copy).
        const announced = chunk.readUInt32BE(at + 1);
        this.check(chunk[at]!, announced);
        at += MESSAGE_PREFIX_BYTES;
        if (length - at >= announced) {
          this.message = chunk.subarray(at, at + announced);
          this.messageHave = announced;
          at += announced;
        } else {
          this.message = this.allocate(announced);
        }
        continue;
      }
      const prefix = (this.prefix ??= Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES));
      const take = Math.min(MESSAGE_PREFIX_BYTES - this.prefixHave, length - at);
      chunk.copy(prefix, this.prefixHave, at, at + take);
      this.prefixHave += take;
      at += take;
      if (this.prefixHave === MESSAGE_PREFIX_BYTES) {
        const announced = prefix.readUInt32BE(1);
        this.check(prefix[0]!, announced);
        this.message = this.allocate(announced);
      }
    }
  }

  private allocate(length: number): Buffer {
    if (this.pool === undefined) return Buffer.allocUnsafe(length);
    this.pooled = true;
    return this.pool.acquire(length);
  }

  /** Gives a pooled message buffer back; the message must not be read afterwards. Safe to call more than once. */
  release(): void {
    if (!this.pooled || this.message === null) return;
    this.pooled = false;
    this.pool!.release(this.message);
  }

  private check(flag: number, announced: number): void {
    if (flag > 1) throw new FramingError(GrpcStatus.INTERNAL, `invalid Compressed-Flag ${flag}`);
    if (announced > this.maxMessageBytes) {
      throw new FramingError(GrpcStatus.RESOURCE_EXHAUSTED, `Received message larger than max (${announced} vs. ${this.maxMessageBytes})`);
    }
    this.compressed = flag === 1;
  }

  /** The message once the request ended; throws FramingError when there is none or it was cut short. */
  finish(): Buffer {
    if (this.message === null && this.prefixHave === 0) {
      // No message at all (an empty body). The spec has no status for it; grpc-core answers UNIMPLEMENTED.
      throw new FramingError(GrpcStatus.UNIMPLEMENTED, 'a unary call takes exactly one request message, got none');
    }
    if (this.message === null || this.messageHave !== this.message.length) {
      throw new FramingError(GrpcStatus.INTERNAL, 'the request ended inside a message');
    }
    return this.message;
  }
}

/** `message` as one Length-Prefixed-Message (uncompressed). */
export function frameMessage(message: Buffer): Buffer {
  const framed = Buffer.allocUnsafe(MESSAGE_PREFIX_BYTES + message.length);
  framed[0] = 0;
  framed.writeUInt32BE(message.length, 1);
  message.copy(framed, MESSAGE_PREFIX_BYTES);
  return framed;
}

const HEX_DIGITS = '0123456789ABCDEF';

/** grpc-message's Percent-Encoded form of `text`: printable ASCII except '%' as is, every other UTF-8 byte as %XX. */
export function percentEncode(text: string): string {
  let plain = true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return text;
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    out += byte < 0x20 || byte > 0x7e || byte === 0x25 ? `%${HEX_DIGITS[byte >> 4]}${HEX_DIGITS[byte & 15]}` : String.fromCharCode(byte);
  }
  return out;
}

/** A binary (`-bin`) header value: base64 without padding. */
export function binaryHeaderValue(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64').replace(/=+$/, '');
}
