// One TCP port for two protocols: every accepted connection is sniffed (protocol-sniffer.ts) and handed on whole.
//
//   accept ─▶ sniff ─┬─ HTTP/2    ─▶ serveHttp2 (grpc-js, through its connection injector)
//                    ├─ HTTP/1.x  ─▶ serveHttp1 (the OTLP/HTTP receiver), else a 404 naming the fix (http1-refusal.ts)
//                    └─ TLS, garbage, silence ─▶ reported as wrong_protocol, closed
//
// The OTLP/gRPC receiver listens through this, so exporters left on http/protobuf can be pointed at :4317.

import type { Socket } from 'node:net';
import { createHttp1Refusal, HTTP_OFF_MESSAGE, type Http1Refusal } from './http1-refusal.js';
import { createProtocolSniffer, type ConnectionProtocol } from './protocol-sniffer.js';
import { peerOfSocket, TLS_ON_PLAIN_PORT, type RejectionListener, type RejectionReport } from './rejection-report.js';
import { listenOnEndpoint, type TcpListener } from './tcp-listener.js';

export interface DualProtocolPortOptions {
  /** `host:port`, validated. */
  endpoint: string;
  /** Whose port this is, for reports. */
  receiver: RejectionReport['receiver'];
  sniffTimeoutMs: number;
  /** Takes an HTTP/2 connection (paused, its first bytes pushed back). */
  serveHttp2(socket: Socket): void;
  /** Takes an HTTP/1.x connection (paused, its first bytes pushed back). Default: the 404 refusal. */
  serveHttp1?: ((socket: Socket) => void) | undefined;
  onRejected?: RejectionListener | undefined;
  /** Told the protocol of every connection that said anything (for debug logs). */
  onConnection?: ((protocol: ConnectionProtocol, peer: string) => void) | undefined;
}

export interface DualProtocolPort {
  /** Listens; resolves with the bound port. */
  start(): Promise<number>;
  /**
   * Stops accepting and closes what is still this port's own: connections being sniffed and those of the refusal.
   * Connections already handed on are their new owners' to close.
   */
  stop(): void;
}

/** What the log says about a connection that is neither HTTP/2 nor HTTP/1.x. */
const WRONG_PROTOCOL_REASONS: Record<'tls' | 'unknown' | 'none', string> = {
  tls: TLS_ON_PLAIN_PORT,
  unknown: 'neither HTTP/2 (gRPC) nor an HTTP/1.x request line',
  none: 'sent no HTTP/2 preface or HTTP/1.x request line in time',
};

export function createDualProtocolPort(options: DualProtocolPortOptions): DualProtocolPort {
  const { onRejected, onConnection, receiver } = options;
  const wrongProtocol = (peer: string, answer: string, reason: string): void =>
    onRejected?.({ kind: 'wrong_protocol', receiver, signal: undefined, peer, answer, reason });
  const refusal: Http1Refusal | undefined =
    options.serveHttp1 === undefined ? createHttp1Refusal((req) => wrongProtocol(peerOfSocket(req.socket), '404', HTTP_OFF_MESSAGE)) : undefined;
  const serveHttp1 = options.serveHttp1 ?? refusal!.accept;

  const sniffer = createProtocolSniffer({
    timeoutMs: options.sniffTimeoutMs,
    dispatch(protocol, socket) {
      if (protocol === 'none' && socket.destroyed) return; // closed before saying anything: a port probe, or stop()
      onConnection?.(protocol, peerOfSocket(socket));
      if (protocol === 'http2') options.serveHttp2(socket);
      else if (protocol === 'http1') serveHttp1(socket);
      else {
        wrongProtocol(peerOfSocket(socket), 'closed', WRONG_PROTOCOL_REASONS[protocol]);
        socket.destroy();
      }
    },
  });

  let listener: TcpListener | undefined;
  let stopped = false;
  return {
    async start() {
      listener = await listenOnEndpoint(options.endpoint, sniffer.accept);
      if (stopped) listener.close();
      return listener.port;
    },
    stop() {
      stopped = true;
      listener?.close();
      sniffer.destroyPending();
      refusal?.close();
    },
  };
}
