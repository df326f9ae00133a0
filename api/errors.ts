// How a control call fails, as one sentence a person can act on and a kind a program can branch on. Transports map
// their own failures (gRPC status codes, HTTP statuses) onto these kinds.

export const CONTROL_ERROR_KINDS = [
  /** No daemon answers at the address (not running, wrong socket or port). */
  'unavailable',
  /** The daemon did not answer in time. */
  'timeout',
  /** No such incident, rule or trace. */
  'not_found',
  /** The request is malformed (bad value, unknown field). */
  'bad_request',
  /** The workflow refuses the change (state machine, approvals, cooldown…). */
  'refused',
  /** No valid credentials were presented. */
  'unauthenticated',
  /** The credentials do not allow this call (a viewer asking to act). */
  'forbidden',
  /** The client fell too far behind a stream, or the daemon is overloaded. */
  'exhausted',
  /** Anything else: a bug or an unexpected failure on the daemon. */
  'internal',
] as const;
export type ControlErrorKind = (typeof CONTROL_ERROR_KINDS)[number];

export class ControlError extends Error {
  constructor(
    message: string,
    readonly kind: ControlErrorKind,
    /** The transport's own code (a gRPC status, an HTTP status) when there was one. */
    readonly code?: number,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}

export function isControlError(error: unknown): error is ControlError {
  return error instanceof ControlError;
}

/** Failures worth retrying later on the same connection: the daemon is away, slow or busy. */
export function isTransient(error: unknown): boolean {
  return isControlError(error) && (error.kind === 'unavailable' || error.kind === 'timeout' || error.kind === 'exhausted');
}
