// Which protocol a TCP connection speaks, from its first bytes, so one port can serve OTLP/gRPC (HTTP/2) and
// OTLP/HTTP (HTTP/1.1): the JS SDK's default exporters (http/protobuf) pointed at :4317 then just work.
//
//   accept ─first bytes─▶ classifyConnectionStart ─┬─ "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" ─▶ http2 (gRPC)
//   (≤ 24 bytes kept,    (pure, property-tested)    ├─ METHOD SP …                      ─▶ http1 (OTLP/HTTP)
//    within timeoutMs)                              ├─ 0x16 (TLS handshake record)      ─▶ tls   (wrong protocol)
//                                                   └─ anything else                    ─▶ unknown
//
// The bytes read are pushed back (socket.unshift) before the socket is handed on, so whoever takes it (grpc-js'
// HTTP/2 session, node:http's parser) reads the connection from its first byte. Only the first chunk of a
// connection passes through here: once handed on, a socket costs nothing more per request.
// HTTP/2 preface: RFC 9113 §3.4. HTTP/1.1 request line: RFC 9112 §3 (method = token, then SP).

import type { Socket } from 'node:net';

const HTTP2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
/** classifyConnectionStart decides within this many bytes, so a sniffer never holds more. */
export const SNIFF_LENGTH = HTTP2_PREFACE.length;
/** Longest method accepted as HTTP/1.x (registered methods are at most 17 characters: UPDATEREDIRECTREF). */
const MAX_METHOD_LENGTH = 20;
const SPACE = 0x20;
const TLS_HANDSHAKE_RECORD = 0x16;
/** A client speaks first in both protocols; one that has not said enough by then is not an OTLP exporter. */
export const DEFAULT_SNIFF_TIMEOUT_MS = 10_000;

/** `none`: the connection closed or timed out before its first bytes said which. */
export type ConnectionProtocol = 'http2' | 'http1' | 'tls' | 'unknown' | 'none';

/** Methods are upper-case tokens in practice (node:http's parser knows no other); `-` and `_` for M-SEARCH and kin. */
function isMethodByte(byte: number): boolean {
  return (byte >= 0x41 && byte <= 0x5a) || byte === 0x2d || byte === 0x5f;
}

/**
 * The protocol `head` (the first bytes of a connection) starts, or undefined while more bytes are needed. Decides
 * within SNIFF_LENGTH bytes, and a decision never changes as bytes are added.
 */
export function classifyConnectionStart(head: Uint8Array): Exclude<ConnectionProtocol, 'none'> | undefined {
  if (head.length === 0) return undefined;
  const compared = Math.min(head.length, SNIFF_LENGTH);
  let index = 0;
  while (index < compared && head[index] === HTTP2_PREFACE[index]) index++;
  if (index === compared) return compared === SNIFF_LENGTH ? 'http2' : undefined;
  if (head[0] === TLS_HANDSHAKE_RECORD) return 'tls';
  // Not the preface (a request line may still start with "PRI "): a method token, then one space.
  const scanned = Math.min(head.length, MAX_METHOD_LENGTH + 1);
  for (let at = 0; at < scanned; at++) {
    const byte = head[at]!;
    if (byte === SPACE) return at > 0 ? 'http1' : 'unknown';
    if (!isMethodByte(byte)) return 'unknown';
  }
  return head.length > MAX_METHOD_LENGTH ? 'unknown' : undefined;
}

export interface ProtocolSnifferOptions {
  /** How long a connection may take to say which protocol it speaks. Default DEFAULT_SNIFF_TIMEOUT_MS. */
  timeoutMs?: number;
  /**
   * Takes every accepted connection once its protocol is known. The socket is paused with its first bytes pushed
   * back; for `tls`, `unknown` and `none` it is still open and is the callee's to close (`none`: maybe closed).
   * `bytes` is how many bytes the sniffer saw.
   */
  dispatch(protocol: ConnectionProtocol, socket: Socket, bytes: number): void;
}

export interface ProtocolSniffer {
  /** The `connection` listener of the port's net.Server. */
  accept(socket: Socket): void;
  /** Destroys connections still being sniffed (at shutdown). */
  destroyPending(): void;
}

export function createProtocolSniffer(options: ProtocolSnifferOptions): ProtocolSniffer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SNIFF_TIMEOUT_MS;
  const pending = new Set<Socket>();

  const accept = (socket: Socket): void => {
    pending.add(socket);
    let head: Buffer | undefined;
    const settle = (protocol: ConnectionProtocol): void => {
      clearTimeout(timer);
      pending.delete(socket);
      socket.off('data', onData);
      socket.off('close', onClose);
      socket.pause();
      if (head !== undefined && !socket.destroyed) socket.unshift(head);
      // Error listeners are the next owner's from here (it adds them before it returns).
      socket.off('error', onError);
      options.dispatch(protocol, socket, head?.length ?? 0);
    };
    const onData = (chunk: Buffer): void => {
      // Almost always one chunk (a client writes its preface or request line at once); never more than
      // SNIFF_LENGTH bytes' worth of chunks, since the decision comes by then.
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
      const protocol = classifyConnectionStart(head);
      if (protocol !== undefined) settle(protocol);
    };
    const onClose = (): void => settle('none');
    // A reset while sniffing is the client's business; `close` follows and settles.
    const onError = (): void => {};
    const timer = setTimeout(() => settle('none'), timeoutMs);
    timer.unref();
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.on('error', onError);
  };

  return {
    accept,
    destroyPending() {
      for (const socket of pending) socket.destroy();
    },
  };
}
