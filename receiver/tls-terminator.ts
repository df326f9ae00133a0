// TLS on the OTLP ports, terminated here on each accepted socket before anything else sees it (the protocol sniffer,
// grpc-js, node:http), Collector-style: `tls: {cert_file, key_file, client_ca_file}`, client_ca_file meaning mutual
// TLS. The secure context is built once per reload and used for every new connection, so a renewed certificate
// (SIGHUP) takes effect at once without touching the connections already open.
//
//   accept(raw) ─▶ TLS handshake (≤ handshakeTimeoutMs) ─▶ next(decrypted socket)
//                      └─ fails (plain text on a TLS port, no client certificate, a CA we do not trust) ─▶ reported, closed

import type { Socket } from 'node:net';
import * as tls from 'node:tls';

/** PEM material of a TLS listener. */
export interface TlsServerIdentity {
  cert: Buffer;
  key: Buffer;
  /** CAs whose client certificates are required (mutual TLS); absent: no client certificate asked for. */
  clientCa?: Buffer;
}

export interface TlsTerminatorOptions {
  identity: TlsServerIdentity;
  /** ALPN protocols offered, preferred first (the gRPC port: h2 then http/1.1). */
  alpnProtocols: readonly string[];
  /** A connection that has not completed its handshake by then is closed. Default 10 s. */
  handshakeTimeoutMs?: number;
  /** Gets each connection once it is secure. */
  next(socket: tls.TLSSocket): void;
  /** Told of each handshake that failed, with the peer's socket (still open) and why. */
  onHandshakeFailure?(socket: Socket, reason: string): void;
}

export interface TlsTerminator {
  accept(socket: Socket): void;
  /** New certificate, key and client CA for connections from now on. */
  reload(identity: TlsServerIdentity): void;
}

const DEFAULT_HANDSHAKE_TIMEOUT_MS = 10_000;

/** Throws an Error naming `path` unless `identity` is a TLS identity: PEM certificate and key (and client CA) buffers. */
export function validateTlsIdentity(identity: unknown, path: string): void {
  const fields = (identity ?? {}) as Partial<Record<keyof TlsServerIdentity, unknown>>;
  for (const key of ['cert', 'key'] as const) {
    if (!Buffer.isBuffer(fields[key]) || fields[key].length === 0) throw new Error(`${path}.${key}: must be PEM bytes`);
  }
  if (fields.clientCa !== undefined && !Buffer.isBuffer(fields.clientCa)) throw new Error(`${path}.clientCa: must be PEM bytes`);
}

/**
 * A tls.Server that never listens: accepted sockets are handed to it, so node does the handshake, the handshake
 * timeout and the certificate checks exactly as for its own listeners (a bare server-side TLSSocket would leave
 * `secureConnecting` set, which node:http2 then waits on forever, and would not check client certificates).
 */
function handshakeServer(identity: TlsServerIdentity, options: TlsTerminatorOptions, timeoutMs: number): tls.Server {
  const mutual = identity.clientCa !== undefined;
  const server = tls.createServer({
    cert: identity.cert,
    key: identity.key,
    ...(mutual ? { ca: identity.clientCa } : {}),
    minVersion: 'TLSv1.2',
    // asked for, then judged below, so that a refused certificate is reported with its reason rather than dropped
    requestCert: mutual,
    rejectUnauthorized: false,
    ALPNProtocols: [...options.alpnProtocols],
    handshakeTimeout: timeoutMs,
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => {
    const refusal = clientCertificateRefusal(socket, mutual);
    if (refusal !== undefined) {
      options.onHandshakeFailure?.(socket, refusal);
      socket.destroy();
      return;
    }
    options.next(socket);
  });
  server.on('tlsClientError', (error: NodeJS.ErrnoException, socket: tls.TLSSocket) => {
    options.onHandshakeFailure?.(socket, tlsHandshakeFailure(error));
    socket.destroy();
  });
  return server;
}

/**
 * Why a secure connection may not go on where client certificates are required (servers that ask for them but judge
 * them here, `rejectUnauthorized: false`), or undefined when it may: node would otherwise drop it without a word.
 */
export function clientCertificateRefusal(socket: tls.TLSSocket, mutual: boolean): string | undefined {
  if (!mutual || socket.authorized) return undefined;
  const presented = Object.keys(socket.getPeerCertificate()).length > 0;
  return presented ? `client certificate refused (${String(socket.authorizationError)})` : 'no client certificate (mutual TLS is required)';
}

export function createTlsTerminator(options: TlsTerminatorOptions): TlsTerminator {
  const timeoutMs = options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
  let server = handshakeServer(options.identity, options, timeoutMs);
  return {
    accept(raw) {
      server.emit('connection', raw);
    },
    reload(identity) {
      // a new server rather than setSecureContext: adding or removing client_ca_file changes requestCert too
      server = handshakeServer(identity, options, timeoutMs);
    },
  };
}

/** A failed handshake in words an operator can act on. */
export function tlsHandshakeFailure(error: NodeJS.ErrnoException): string {
  const code = error.code ?? '';
  if (code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'no TLS handshake in time';
  // what a sender that does not trust this certificate does: it hangs up mid-handshake
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the sender left during the TLS handshake (does it trust this certificate? give it the CA)';
  if (code === 'ERR_SSL_HTTP_REQUEST' || /http request/i.test(error.message)) return 'plain HTTP on a TLS port (use https:// and the CA)';
  if (/wrong version number|unknown protocol|packet length too long/i.test(error.message)) return 'not TLS on a TLS port (the sender does not use TLS)';
  if (/peer did not return a certificate|certificate required/i.test(error.message)) return 'no client certificate (mutual TLS is required)';
  if (/certificate/i.test(error.message)) return `client certificate refused (${code || error.message})`;
  return `TLS handshake failed (${code || error.message})`;
}
