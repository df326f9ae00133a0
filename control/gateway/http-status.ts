// How the gateway answers a failed control call: one HTTP status per ControlError kind (RFC 9110 §15), so the page can
// branch on the status and show the sentence. The daemon's own words are kept; nothing about the transport is added.

import { ControlError, isControlError, type ControlErrorKind } from '../../api/errors.js';

const STATUS_BY_KIND: Readonly<Record<ControlErrorKind, number>> = {
  bad_request: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  // The request was understood but the workflow says no (a state machine step, a missing approval, a cooldown).
  refused: 409,
  exhausted: 429,
  internal: 500,
  // The daemon behind the gateway is away: RFC 9110 §15.6.3 (502) is for an invalid answer, 503 for none.
  unavailable: 503,
  timeout: 504,
};

export type ErrorBody = { error: string; kind: ControlErrorKind };

export function httpStatusOf(kind: ControlErrorKind): number {
  return STATUS_BY_KIND[kind];
}

/** Any failure as the status and body the page gets. */
export function errorReply(error: unknown): { status: number; body: ErrorBody } {
  const controlError = isControlError(error) ? error : new ControlError(String((error as Error)?.message ?? error), 'internal');
  return { status: httpStatusOf(controlError.kind), body: { error: controlError.message, kind: controlError.kind } };
}
