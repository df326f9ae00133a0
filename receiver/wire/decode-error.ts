// The one error a wire decoder throws. Everything that parses untrusted bytes in receiver/ throws only this, so a
// caller can tell "the client sent garbage" (INVALID_ARGUMENT) from "we have a bug" (INTERNAL) by type alone.

export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  /** What is wrong, without the position (e.g. `truncated varint`). */
  readonly reason: string;
  /** Byte offset into the request at which the problem was detected. */
  readonly position: number;

  constructor(reason: string, position: number) {
    super(`${reason} at byte ${position}`);
    this.reason = reason;
    this.position = position;
  }
}
