// The answer HTTP/1.x requests get on the OTLP/gRPC port when OTLP/HTTP is turned off: 404 with a google.rpc.Status
// (protobuf, or JSON when the request was JSON) naming the fix, so an exporter left on http/protobuf fails loudly
// instead of with a parse error. The body is read and discarded first (up to a bound), because closing a socket
// with unread data resets it, and a reset can destroy the answer before the client reads it.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { encodeStatus, encodeStatusJson } from './export-status.js';

const HTTP_NOT_FOUND = 404;
/** Bodies are discarded up to this many bytes before answering; past it the connection is answered and closed. */
const MAX_DISCARDED_BYTES = 1024 * 1024;
/** A connection idle this long is closed (this server is never listening, so node:http's own timers do not run). */
const IDLE_TIMEOUT_MS = 10_000;

export const HTTP_OFF_MESSAGE =
  'this port speaks OTLP/gRPC and OTLP/HTTP is turned off (receivers.otlp.protocols.http): ' +
  'set OTEL_EXPORTER_OTLP_PROTOCOL=grpc, or enable the http protocol';

export interface Http1Refusal {
  /** Serves one HTTP/1.x connection (its first bytes already pushed back). */
  accept(socket: Socket): void;
  /** Closes every connection it serves. */
  close(): void;
}

/** `onRequest` hears of every request answered (for the daemon's log). */
export function createHttp1Refusal(onRequest: (req: IncomingMessage) => void): Http1Refusal {
  const sockets = new Set<Socket>();
  const answer = (req: IncomingMessage, res: ServerResponse): void => {
    if (res.headersSent) return;
    const json = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
    const body = json ? encodeStatusJson(GrpcStatus.NOT_FOUND, HTTP_OFF_MESSAGE) : encodeStatus(GrpcStatus.NOT_FOUND, HTTP_OFF_MESSAGE);
    res.writeHead(HTTP_NOT_FOUND, {
      'Content-Type': json ? 'application/json' : 'application/x-protobuf',
      'Content-Length': String(body.length),
      Connection: 'close',
    });
    res.end(body);
  };
  const server = createServer((req, res) => {
    onRequest(req);
    let discarded = 0;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > MAX_DISCARDED_BYTES) {
        req.pause();
        answer(req, res);
        res.once('finish', () => req.socket.destroySoon());
      }
    });
    req.once('end', () => answer(req, res));
  });
  server.timeout = IDLE_TIMEOUT_MS;
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    accept(socket) {
      server.emit('connection', socket);
      socket.resume();
    },
    close() {
      for (const socket of sockets) socket.destroy();
    },
  };
}
