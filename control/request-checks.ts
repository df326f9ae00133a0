// Checks of request fields every way into the backend shares (the gRPC server, the in-process client), so a bad
// value gets the same BadRequest whichever door it came through.

import { parseIsoInstant } from '../common/time.js';
import { BadRequest } from './backend.js';

/** Characters of a bad value said back in the error: enough to recognise it, never a whole megabyte. */
const MAX_ECHOED = 64;

/** A request's `since` (ISO-8601) as epoch ms; undefined when absent or empty. */
export function sinceMsOf(since: string | undefined): number | undefined {
  if (since === undefined || since === '') return undefined;
  const ms = parseIsoInstant(since);
  if (ms === undefined) throw new BadRequest(`since: not an ISO-8601 time: ${JSON.stringify(since.slice(0, MAX_ECHOED))}`);
  return ms;
}

/** A trace ID as the backend looks it up: 32 hex characters, lower case. */
export function checkedTraceId(traceId: string): string {
  const id = traceId.toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(id)) throw new BadRequest(`trace ID must be 32 hex characters, got ${JSON.stringify(id.slice(0, MAX_ECHOED))}`);
  return id;
}
