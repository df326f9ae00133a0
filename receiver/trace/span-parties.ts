// Who a span involves besides its own service: the peer a client or producer span called, and the user it served.
// One reading for the event (span-converter.ts) and the span record (span-record.ts), so an incident's component and
// users_affected come out the same whichever of the two they are read from.

import { MAX_PORT } from '../../common/endpoint.js';
import {
  KEY_ENDUSER_ID,
  KEY_NET_PEER_NAME,
  KEY_NET_PEER_PORT,
  KEY_PEER_SERVICE,
  KEY_SERVER_ADDRESS,
  KEY_SERVER_PORT,
  KEY_SESSION_ID,
  KEY_USER_ID,
} from './span-attribute-keys.js';
import { SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, type SpanViewFast } from './span-view.js';

/** The attributes naming a user, in the order engine/users.ts eventUser reads them from an event's metadata. */
export const USER_KEYS: readonly (readonly [id: number, name: string])[] = [
  [KEY_ENDUSER_ID, 'enduser.id'],
  [KEY_USER_ID, 'user.id'],
  [KEY_SESSION_ID, 'session.id'],
];


/** `enduser.id`, else `user.id`, else `session.id` of the span (at most `maxChars`); null when it has none. */
export function spanUser(span: SpanViewFast, maxChars: number): string | null {
  for (const [id] of USER_KEYS) {
    const user = span.string(id, maxChars);
    if (user !== null) return user;
  }
  return null;
}

/**
 * The other side of a client or producer span: `peer.service`, else `server.address:server.port` (else the legacy
 * `net.peer.name:net.peer.port`), the port left out when absent or not a port. Auto-instrumentation sets no
 * peer.service, and an address alone would make every service behind one host (`127.0.0.1`) the same component.
 * Null for other kinds (on a server span server.address is the service itself) and when the span names no peer.
 */
export function spanPeer(span: SpanViewFast, maxChars: number): string | null {
  if (span.kind !== SPAN_KIND_CLIENT && span.kind !== SPAN_KIND_PRODUCER) return null;
  const service = span.string(KEY_PEER_SERVICE, maxChars);
  if (service !== null) return service;
  const address = span.string(KEY_SERVER_ADDRESS, maxChars);
  if (address !== null) return peerWithPort(address, span.number(KEY_SERVER_PORT));
  const legacy = span.string(KEY_NET_PEER_NAME, maxChars);
  return legacy === null ? null : peerWithPort(legacy, span.number(KEY_NET_PEER_PORT));
}

/**
 * `host:port`, `[v6]:port`, or the address alone when `port` is not a TCP/UDP port number. Telemetry's address may
 * come bracketed already (common/endpoint.ts formatHostPort expects a bare host).
 */
function peerWithPort(address: string, port: number): string {
  if (!Number.isInteger(port) || port < 1 || port > MAX_PORT) return address;
  return address.includes(':') && !address.startsWith('[') ? `[${address}]:${port}` : `${address}:${port}`;
}
