// What the receivers tell their owner about exports and connections they could not take as sent, so the daemon can
// log them (rate-limited) with the sender's address. The receivers only report; wording and limits are the owner's.
// `reason` may echo what the sender sent (a path, a Content-Type, a decoder's message naming a field): whoever
// prints it cleans it first.

import type { TelemetrySignal } from './consumer.js';

export type RejectionKind =
  /** Answered with an error before or instead of converting: too large, wrong method/type, busy, internal. */
  | 'refused'
  /** The body could not be decompressed or decoded (INVALID_ARGUMENT / 400). */
  | 'undecodable'
  /** Accepted with partial_success: some items were rejected. */
  | 'partially_rejected'
  /** The connection did not speak the port's protocol (TLS on a plain port, gRPC on the HTTP port, garbage…). */
  | 'wrong_protocol'
  /** A TLS port refused the connection: failed handshake, no or an untrusted client certificate. */
  | 'tls_refused';

export interface RejectionReport {
  kind: RejectionKind;
  /** The receiver whose port it came to. */
  receiver: 'grpc' | 'http';
  /** The signal, when the request got far enough to name one. */
  signal: TelemetrySignal | undefined;
  /** The sender, `host:port` (`[v6]:port`), or `unknown`. */
  peer: string;
  /** What the sender was answered: a gRPC status name, an HTTP status, or `closed`. */
  answer: string;
  /** Why, as the sender was told (untrusted text: clean before printing). */
  reason: string;
  /** Items rejected (partially_rejected only). */
  rejectedItems?: number;
}

export type RejectionListener = (report: RejectionReport) => void;

/** The reason given for a TLS handshake on either (plain-text) port. */
export const TLS_ON_PLAIN_PORT =
  'TLS handshake on a plain-text port: the OTLP receiver has no TLS; use http:// (OTEL_EXPORTER_OTLP_INSECURE=true, or tls.insecure: true in a Collector)';

/** A socket's remote end as `host:port` (`[v6]:port`); `unknown` once the socket no longer knows it. */
export function peerOfSocket(socket: { remoteAddress?: string | undefined; remotePort?: number | undefined } | null | undefined): string {
  const address = socket?.remoteAddress;
  if (address === undefined) return 'unknown';
  const host = address.includes(':') ? `[${address}]` : address;
  return socket?.remotePort === undefined ? host : `${host}:${socket.remotePort}`;
}
