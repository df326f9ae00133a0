// The span attributes the converter reads, and how the scanner recognises them: by comparing key bytes on the wire
// against a table built once at load time, so the ~10 attributes of an ordinary span are matched without decoding a
// single string. Semantic-convention names: https://opentelemetry.io/docs/specs/semconv/

import { asciiBytes } from '../wire/utf8.js';

/** firewatch's own attributes: the app names the event type / severity outright (DESIGN.md). */
export const KEY_EVENT_TYPE = 0;
export const KEY_SEVERITY = 1;
export const KEY_HTTP_STATUS = 2;
export const KEY_HTTP_STATUS_LEGACY = 3;
export const KEY_RPC_GRPC_STATUS = 4;
export const KEY_ERROR_TYPE = 5;
export const KEY_DB_SYSTEM = 6;
export const KEY_DB_SYSTEM_NAME = 7;
export const KEY_PEER_SERVICE = 8;
export const KEY_SERVER_ADDRESS = 9;
export const KEY_NET_PEER_NAME = 10;
export const KEY_HTTP_METHOD = 11;
export const KEY_HTTP_METHOD_LEGACY = 12;
export const KEY_HTTP_ROUTE = 13;
export const KEY_HTTP_TARGET = 14;
export const KEY_URL_PATH = 15;
export const KEY_RPC_SYSTEM = 16;
export const KEY_RPC_SERVICE = 17;
export const KEY_RPC_METHOD = 18;
export const KEY_EXCEPTION_TYPE = 19;
export const KEY_EXCEPTION_MESSAGE = 20;
export const KEY_ENDUSER_ID = 21;
export const KEY_USER_ID = 22;
export const KEY_SESSION_ID = 23;
export const KEY_SERVER_PORT = 24;
export const KEY_NET_PEER_PORT = 25;
/** firewatch's workflow attributes (README "What becomes an event"): a critical workflow's failures escalate. */
export const KEY_WORKFLOW_CRITICAL = 26;
export const KEY_WORKFLOW_NAME = 27;
export const KEY_WORKFLOW_ID = 28;

/** Attribute names by key id (the index is the id above). */
export const SPAN_KEY_NAMES: readonly string[] = [
  'firewatch.event_type',
  'firewatch.severity',
  'http.response.status_code',
  'http.status_code',
  'rpc.grpc.status_code',
  'error.type',
  'db.system',
  'db.system.name',
  'peer.service',
  'server.address',
  'net.peer.name',
  'http.request.method',
  'http.method',
  'http.route',
  'http.target',
  'url.path',
  'rpc.system',
  'rpc.service',
  'rpc.method',
  'exception.type',
  'exception.message',
  'enduser.id',
  'user.id',
  'session.id',
  'server.port',
  'net.peer.port',
  'workflow.critical',
  'workflow.name',
  'workflow.id',
];

export const SPAN_KEY_COUNT = SPAN_KEY_NAMES.length;

const KEY_BYTES: readonly Uint8Array[] = SPAN_KEY_NAMES.map(asciiBytes);
const LONGEST_KEY = Math.max(...SPAN_KEY_NAMES.map((name) => name.length));
const NO_CANDIDATES: readonly number[] = [];

/** Key ids grouped by key length: a key of another length is dismissed with one array load. */
const CANDIDATES_BY_LENGTH: readonly (readonly number[])[] = Array.from({ length: LONGEST_KEY + 1 }, (_, len) => {
  const ids = SPAN_KEY_NAMES.flatMap((name, id) => (name.length === len ? [id] : []));
  return ids.length === 0 ? NO_CANDIDATES : ids;
});

/**
 * The id of the known key spelled by `buf[pos, pos + len)`, or -1. Compares from the last byte backwards because
 * keys of equal length mostly share a namespace prefix (`http.`, `rpc.`) and differ at the end.
 */
export function matchSpanKey(buf: Uint8Array, pos: number, len: number): number {
  if (len > LONGEST_KEY) return -1;
  const candidates = CANDIDATES_BY_LENGTH[len]!;
  for (let c = 0; c < candidates.length; c++) {
    const id = candidates[c]!;
    const key = KEY_BYTES[id]!;
    let i = len - 1;
    while (i >= 0 && buf[pos + i] === key[i]) i--;
    if (i < 0) return id;
  }
  return -1;
}
