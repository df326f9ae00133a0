// Unary gRPC calls served straight on node:http2: what the OTLP Export methods need, and nothing else.
//
//   connection ─▶ Http2Session (SETTINGS_MAX_CONCURRENT_STREAMS) ─▶ stream: headers ─▶ content-type, method, grpc-timeout
//                                                                   │                 └▶ screen(head): refuse before
//                                                                   │                    a byte of the body is read
//                                                                   ├▶ DATA ─▶ MessageAssembler (size checked at the prefix)
//                                                                   ├▶ end ─▶ [gunzip / inflate, bounded] ─▶ handle(call)
//                                                                   └◀ answer: HEADERS, DATA (framed), trailers grpc-status
//                                                                      or Trailers-Only for every failure
//
// Why not @grpc/grpc-js: for 100-span exports grpc-js' per-call machinery (interceptor chain, metadata objects,
// a deadline timer, the message queued through promises, the body copied once more) cost more than the receiver's
// own decoding (bench/profile-ingest.ts; an ack-only server on node:http2 took ~35 % less CPU per call than the
// same on grpc-js). grpc-js stays for the control API, where calls are few.
//
// Framing and header formats: grpc-framing.ts. Wire facts: https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md

import { status as GrpcStatus } from '@grpc/grpc-js';
import {
  constants as http2Constants,
  createServer,
  type Http2Session,
  type IncomingHttpHeaders,
  type ServerHttp2Stream,
} from 'node:http2';
import type { Duplex } from 'node:stream';
import { gunzip, inflate } from 'node:zlib';
import { binaryHeaderValue, FramingError, frameMessage, MessageAssembler, MESSAGE_PREFIX_BYTES, parseGrpcTimeout, percentEncode } from './grpc-framing.js';
import { MessageBufferPool } from './message-buffer-pool.js';
import { peerOfSocket } from './rejection-report.js';

/** What is known of a call once its headers are in. */
export interface UnaryCallHead {
  /** `:path`, e.g. `/opentelemetry.proto.collector.trace.v1.TraceService/Export`. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The sender, `host:port` (`[v6]:port`). */
  readonly peer: string;
  /** Epoch ms past which the client has given up (its grpc-timeout); Infinity when it set none. */
  readonly deadline: number;
}

export interface UnaryCall {
  readonly head: UnaryCallHead;
  /**
   * The request message, decompressed. Valid only until handle() returns: it may be a pooled buffer that the next
   * request reuses, or a view pinning a whole socket read. Copy out what must outlive the call, and keep `head`
   * rather than the call for answering later.
   */
  readonly body: Buffer;
  /** The client cancelled or went away; an answer would go nowhere. */
  readonly cancelled: boolean;
}

export interface UnaryAnswer {
  /** gRPC status code; 0 (OK) sends `body` as the response message. */
  code: number;
  /** grpc-message (percent-encoded on the wire). */
  message?: string;
  /** The response message of an OK answer (default: empty). */
  body?: Buffer;
  /** grpc-status-details-bin: a serialized google.rpc.Status (e.g. with RetryInfo). */
  statusDetails?: Buffer;
}

export interface UnaryMethod {
  /** Looks at the headers before the body is read: an answer refuses the call there, its body never kept. */
  screen?(head: UnaryCallHead): UnaryAnswer | null;
  /** Serves the call; `answer` must be called exactly once (later calls are ignored). */
  handle(call: UnaryCall, answer: (answer: UnaryAnswer) => void): void;
}

export interface UnaryServerOptions {
  /** Methods by `:path`; other paths are answered UNIMPLEMENTED. */
  methods: ReadonlyMap<string, UnaryMethod>;
  /** Largest request message, before and after decompression; larger ones are answered RESOURCE_EXHAUSTED. */
  maxMessageBytes: number;
  /** HTTP/2 SETTINGS_MAX_CONCURRENT_STREAMS: calls one connection may have open at once. */
  maxConcurrentStreams: number;
  /** Told of every call the server answered itself with an error (too large, undecompressible, unknown method…). */
  onRefused?: (head: UnaryCallHead, answer: UnaryAnswer) => void;
}

export interface UnaryServer {
  /** Serves HTTP/2 on a connection (one accepted by a listener, possibly TLS-decrypted and sniffed first). */
  serve(socket: Duplex): void;
  /**
   * Stops taking calls (GOAWAY), lets those in flight finish, and resolves once every connection closed; after
   * `graceMs` the connections still open are destroyed (their calls cancelled).
   */
  stop(graceMs: number): Promise<void>;
}

const GRPC_CONTENT_TYPE = 'application/grpc+proto';
const ACCEPTED_ENCODINGS = 'identity,deflate,gzip';
const OK_HEADERS = {
  [http2Constants.HTTP2_HEADER_STATUS]: 200,
  [http2Constants.HTTP2_HEADER_CONTENT_TYPE]: GRPC_CONTENT_TYPE,
  'grpc-accept-encoding': ACCEPTED_ENCODINGS,
};
const OK_TRAILERS = { 'grpc-status': '0' };
const EMPTY_RESPONSE_FRAME = Buffer.alloc(MESSAGE_PREFIX_BYTES);
const RESPOND_AND_WAIT_FOR_TRAILERS = { waitForTrailers: true };
const END_STREAM = { endStream: true };
/**
 * grpc-js' choice, for the same reason: node's default (10 MB) makes a busy connection's streams fail with
 * ENHANCE_YOUR_CALM. What a connection holds is bounded by the message size limit times SETTINGS_MAX_CONCURRENT_STREAMS.
 */
const UNLIMITED_SESSION_MEMORY = Number.MAX_SAFE_INTEGER;
/**
 * HTTP/2 flow-control windows: how much a client may send on one stream (SETTINGS_INITIAL_WINDOW_SIZE) and on the
 * whole connection before it waits for a WINDOW_UPDATE. HTTP/2's default of 64 KiB for both let a connection carry
 * less than two 500-span exports per event-loop turn: under load an exporter's calls queued in the client for
 * seconds, refusals at the request head included (`node dist/bench/overload.bench.js`: 71-96 % of gRPC exports
 * answered within 1 s, 100 % with these). Bodies are read as they arrive either way, so the windows pace a sender
 * rather than bound memory: a connection's bodies being assembled are bounded only by the message size limit times
 * the streams it may open (admission sees an export once its body is in), as they were with 64 KiB windows.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
const CONNECTION_WINDOW_BYTES = 8 * 1024 * 1024;
/** Free message buffers kept for reuse (message-buffer-pool.ts). */
const POOLED_MESSAGE_BYTES = 16 * 1024 * 1024;

function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

export function createGrpcUnaryServer(options: UnaryServerOptions): UnaryServer {
  const { methods, maxMessageBytes, onRefused } = options;
  const http2 = createServer({
    maxSessionMemory: UNLIMITED_SESSION_MEMORY,
    settings: { maxConcurrentStreams: options.maxConcurrentStreams, initialWindowSize: STREAM_WINDOW_BYTES },
  });
  const pool = new MessageBufferPool(POOLED_MESSAGE_BYTES);
  const sessions = new Set<Http2Session>();
  /** A connection's peer, read once (the session's socket is a proxy: a property read is not free). */
  const peers = new WeakMap<Http2Session, string>();
  let stopping = false;
  let allClosed: (() => void) | undefined;

  http2.on('session', (session: Http2Session) => {
    if (stopping) {
      session.destroy();
      return;
    }
    sessions.add(session);
    session.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
    peers.set(session, peerOfSocket(session.socket));
    session.on('close', () => {
      sessions.delete(session);
      if (stopping && sessions.size === 0) allClosed?.();
    });
  });
  // A broken connection or a protocol error closes that session; nothing else is affected.
  http2.on('sessionError', () => {});

  http2.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', ignore);
    const contentType = headers[http2Constants.HTTP2_HEADER_CONTENT_TYPE];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      // Not gRPC (OTLP/HTTP sent over HTTP/2, a browser…): the gRPC spec's answer.
      stream.respond({ [http2Constants.HTTP2_HEADER_STATUS]: http2Constants.HTTP_STATUS_UNSUPPORTED_MEDIA_TYPE }, END_STREAM);
      stopReading(stream);
      return;
    }
    const path = String(headers[http2Constants.HTTP2_HEADER_PATH] ?? '');
    const timeoutMs = parseGrpcTimeout(headers['grpc-timeout']);
    const head: UnaryCallHead = {
      path,
      headers,
      peer: (stream.session && peers.get(stream.session)) ?? 'unknown',
      deadline: Number.isNaN(timeoutMs) ? Number.POSITIVE_INFINITY : Date.now() + timeoutMs,
    };
    const method = methods.get(path);
    const refusal: UnaryAnswer | null =
      method === undefined
        ? { code: GrpcStatus.UNIMPLEMENTED, message: `the server does not implement the method ${path}` }
        : Number.isNaN(timeoutMs)
          ? { code: GrpcStatus.INTERNAL, message: `invalid grpc-timeout value ${JSON.stringify(String(headers['grpc-timeout']))}` }
          : null;
    if (refusal !== null) {
      refuse(stream, head, refusal);
      return;
    }
    const screened = method!.screen?.(head) ?? null;
    if (screened !== null) {
      // The method's own refusal (e.g. no valid token): reported by the method, not here.
      answerTrailersOnly(stream, screened);
      stopReading(stream);
      return;
    }
    receive(stream, head, method!);
  });

  function receive(stream: ServerHttp2Stream, head: UnaryCallHead, method: UnaryMethod): void {
    const assembler = new MessageAssembler(maxMessageBytes, pool);
    let failed = false;
    stream.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        assembler.push(chunk);
      } catch (error) {
        failed = true;
        assembler.release();
        refuse(stream, head, framingAnswer(error));
      }
    });
    stream.on('end', () => {
      if (failed) return;
      let message: Buffer;
      try {
        message = assembler.finish();
      } catch (error) {
        assembler.release();
        refuse(stream, head, framingAnswer(error));
        return;
      }
      if (!assembler.compressed) {
        serve(stream, head, method, message);
        assembler.release(); // handle() has returned: the body is no longer read
        return;
      }
      const encoding = head.headers['grpc-encoding'];
      const decompress = encoding === 'gzip' ? gunzip : encoding === 'deflate' ? inflate : undefined;
      if (decompress === undefined) {
        assembler.release();
        const named = encoding === undefined || encoding === 'identity';
        refuse(stream, head, {
          code: named ? GrpcStatus.INTERNAL : GrpcStatus.UNIMPLEMENTED,
          message: named ? 'a compressed message without a grpc-encoding' : `unsupported grpc-encoding ${JSON.stringify(String(encoding))}`,
        });
        return;
      }
      decompress(message, { maxOutputLength: maxMessageBytes }, (error, inflated) => {
        assembler.release();
        if (error === null) {
          serve(stream, head, method, inflated);
          return;
        }
        const tooLarge = (error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
        refuse(stream, head, {
          code: tooLarge ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.INVALID_ARGUMENT,
          message: tooLarge
            ? `Received message that decompresses to a size larger than ${maxMessageBytes}`
            : `cannot decompress the message (${String(encoding)}): ${error.message}`,
        });
      });
    });
  }

  function serve(stream: ServerHttp2Stream, head: UnaryCallHead, method: UnaryMethod, body: Buffer): void {
    const call: UnaryCall = {
      head,
      body,
      get cancelled() {
        return stream.destroyed || stream.closed;
      },
    };
    let answered = false;
    method.handle(call, (answer) => {
      if (answered) return;
      answered = true;
      if (stream.destroyed || stream.closed) return;
      if (answer.code === GrpcStatus.OK) {
        stream.respond(OK_HEADERS, RESPOND_AND_WAIT_FOR_TRAILERS);
        stream.once('wantTrailers', sendOkTrailers);
        stream.end(answer.body === undefined || answer.body.length === 0 ? EMPTY_RESPONSE_FRAME : frameMessage(answer.body));
      } else {
        answerTrailersOnly(stream, answer);
      }
    });
  }

  function refuse(stream: ServerHttp2Stream, head: UnaryCallHead, answer: UnaryAnswer): void {
    onRefused?.(head, answer);
    answerTrailersOnly(stream, answer);
    stopReading(stream);
  }

  return {
    serve(socket) {
      if (stopping) {
        socket.destroy();
        return;
      }
      http2.emit('connection', socket);
    },
    stop(graceMs) {
      stopping = true;
      return new Promise<void>((resolve) => {
        if (sessions.size === 0) {
          resolve();
          return;
        }
        const timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
        }, graceMs);
        allClosed = () => {
          clearTimeout(timer);
          resolve();
        };
        // GOAWAY: the clients open no new streams here; each session closes once its streams are done.
        for (const session of sessions) session.close();
      });
    },
  };
}

function ignore(): void {}

function framingAnswer(error: unknown): UnaryAnswer {
  if (error instanceof FramingError) return { code: error.code, message: error.message };
  return { code: GrpcStatus.INTERNAL, message: 'internal error while reading the request' };
}

/** Status in one HEADERS frame with END_STREAM (the spec's Trailers-Only). */
function answerTrailersOnly(stream: ServerHttp2Stream, answer: UnaryAnswer): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers: Record<string, string | number> = {
    [http2Constants.HTTP2_HEADER_STATUS]: 200,
    [http2Constants.HTTP2_HEADER_CONTENT_TYPE]: GRPC_CONTENT_TYPE,
    'grpc-status': String(answer.code),
  };
  if (answer.message !== undefined && answer.message !== '') headers['grpc-message'] = percentEncode(answer.message);
  if (answer.statusDetails !== undefined) headers['grpc-status-details-bin'] = binaryHeaderValue(answer.statusDetails);
  stream.respond(headers, END_STREAM);
}

/**
 * After an answer sent before the request ended: RST_STREAM(NO_ERROR) asks the client to stop sending (RFC 9113
 * §8.1: a complete response may precede the request's end), so a refused body is never read.
 */
function stopReading(stream: ServerHttp2Stream): void {
  if (stream.readableEnded || stream.destroyed) return;
  stream.close(http2Constants.NGHTTP2_NO_ERROR);
}
