// OTLP/HTTP receiver on node:http: POST /v1/traces, /v1/logs, /v1/metrics in binary protobuf or OTLP/JSON,
// optionally gzip/deflate-compressed, answered per https://opentelemetry.io/docs/specs/otlp/#otlphttp.
//
//   request ─route (404) ─method (405) ─Content-Type (415) ─Content-Encoding (415) ─Content-Length (413)
//           ─admission (503 + Retry-After: admission.ts, shared with the gRPC receiver)
//           ─read body, counting, ≤ limit, within the timeout (413 / 408)
//           ─gunzip / inflate, output ≤ limit (413: zip bombs stop at the limit, not at the end of the bomb)
//           ─JSON? transcode to protobuf (json/otlp-json.ts; an empty body is no JSON: 400) ─SignalRoute.decode
//           ─consumer.consume (durable first) ─200 Export*ServiceResponse in the request's encoding
//
// Memory is counted by what a request actually holds, on its admission ticket: the declared length (or the bytes as
// they arrive), then the inflated and transcoded bytes as they are produced (503 when the budget is spent).
// Failures (export-status.ts): undecodable → 400 with a google.rpc.Status (INVALID_ARGUMENT) in the request's
// encoding; over capacity or consumer backpressure → 503 with Retry-After; any other consumer failure → 500 with an
// opaque message. An answer given before the body was read is sent at once with `Connection: close`, then the rest of
// the body is read and dropped (up to the body limit again) before the connection closes: closing with unread bytes
// resets the connection, and a client still sending would lose the answer. No request can stop the server: every
// handler answers exactly once, whatever it is sent.
// Unsupported Content-Encoding is 415 with Accept-Encoding (RFC 9110 §15.5.16); the Collector answers 400 there.
//
// The same server also serves the HTTP/1.x connections made to the OTLP/gRPC port (acceptConnection), so both
// ports answer OTLP/HTTP with one handler, one set of limits and one set of counters.

import { ingestRefusal, validateIngestAuth, type IngestAuth } from './ingest-auth.js';
import { clientCertificateRefusal, tlsHandshakeFailure, validateTlsIdentity, type TlsServerIdentity } from './tls-terminator.js';
import { MAX_PORT, parseHostPort } from '../common/endpoint.js';
import { keepListening } from '../common/keep-listening.js';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer, type ServerOptions as HttpsServerOptions } from 'node:https';
import type { Server as NetServer, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { promisify } from 'node:util';
import * as zlib from 'node:zlib';
import type { TelemetryConsumer, TelemetrySignal } from './consumer.js';
import {
  batchOf,
  type ConverterOptionsInput,
  copyReceiverStats,
  countAcknowledged,
  countFailure,
  createSignalConverters,
  createSignalRoutes,
  type DecodedExport,
  type OtlpReceiver,
  newReceiverStats,
  type SignalRoute,
  stripUndefined,
} from './export-pipeline.js';
import { encodeExportResponse, encodeExportResponseJson } from './export-response.js';
import { encodeStatus, encodeStatusJson, exportFailureOf } from './export-status.js';
import { transcodeOtlpJson } from './json/otlp-json.js';
import { admissionLimitsOf, type AdmissionTicket, DEFAULT_ADMISSION_CONFIG, ExportAdmission } from './admission.js';
import { BackpressureError } from './consumer.js';
import { classifyConnectionStart } from './protocol-sniffer.js';
import { bindEveryAddress, listenOn, listeningPort, type BoundAddress } from './tcp-listener.js';
import { peerOfSocket, TLS_ON_PLAIN_PORT, type RejectionKind, type RejectionListener } from './rejection-report.js';

export const TRACES_HTTP_PATH = '/v1/traces';
export const LOGS_HTTP_PATH = '/v1/logs';
export const METRICS_HTTP_PATH = '/v1/metrics';

export const DEFAULT_HTTP_ENDPOINT = '127.0.0.1:4318';
/** The Collector's confighttp default for OTLP/HTTP (`max_request_body_size`: 20 MiB). */
export const DEFAULT_MAX_REQUEST_BODY_MIB = 20;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const DEFAULT_HTTP_SHUTDOWN_TIMEOUT_MS = 5000;
/** Retry-After sent with a 503 when the consumer gave no hint. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MAX_REQUEST_BODY_MIB_LIMIT = 1024;
const MAX_REQUEST_TIMEOUT_MS = 3_600_000;
/** Slack given to node:http's own whole-request timeout, which only backs ours up. */
const NODE_REQUEST_TIMEOUT_SLACK_MS = 5000;
const NODE_HEADERS_TIMEOUT_MS = 60_000;
const BYTES_PER_MIB = 1024 * 1024;
const MS_PER_SECOND = 1000;

/** google.rpc.Code values used in Status bodies (https://github.com/googleapis/googleapis/blob/master/google/rpc/code.proto). */
const RPC_INVALID_ARGUMENT = 3;
const RPC_DEADLINE_EXCEEDED = 4;
const RPC_NOT_FOUND = 5;
const RPC_RESOURCE_EXHAUSTED = 8;
const RPC_UNAVAILABLE = 14;
const RPC_UNIMPLEMENTED = 12;
const RPC_UNAUTHENTICATED = 16;

const HTTP_OK = 200;
const HTTP_BAD_REQUEST = 400;
const HTTP_UNAUTHORIZED = 401;
const HTTP_NOT_FOUND = 404;
const HTTP_METHOD_NOT_ALLOWED = 405;
const HTTP_REQUEST_TIMEOUT = 408;
const HTTP_PAYLOAD_TOO_LARGE = 413;
const HTTP_SERVICE_UNAVAILABLE = 503;
const HTTP_UNSUPPORTED_MEDIA_TYPE = 415;

const CONTENT_TYPE_PROTOBUF = 'application/x-protobuf';
const BUSY_MESSAGE = 'firewatch is over capacity (too many request bytes in flight); retry later';
const CONTENT_TYPE_JSON = 'application/json';
const ACCEPTED_ENCODINGS = 'gzip, deflate, identity';

const SIGNAL_BY_PATH: ReadonlyMap<string, TelemetrySignal> = new Map([
  [TRACES_HTTP_PATH, 'traces'],
  [LOGS_HTTP_PATH, 'logs'],
  [METRICS_HTTP_PATH, 'metrics'],
]);

export interface OtlpHttpReceiverOptions extends ConverterOptionsInput {
  /** `host:port` to listen on (IPv6 as `[::1]:4318`). Default `127.0.0.1:4318`; port 0 picks a free port. */
  endpoint: string;
  /**
   * Largest request body accepted, in MiB, both as sent and after decompression; larger ones are answered 413.
   * Default 20.
   */
  maxRequestBodyMib: number;
  /** A body not fully received this long (ms) after its headers is answered 408 and the connection closed. Default 30000. */
  requestTimeoutMs: number;
  /** How long stop() lets in-flight exports finish before closing their connections. Default 5000. */
  shutdownTimeoutMs: number;
  /** Told about consumer failures answered 500 (the client only gets a short message). Default: none. */
  onInternalError?: (error: unknown, signal: TelemetrySignal) => void;
  /** Told about every export refused, undecodable or partially rejected, and every wrong-protocol connection. */
  onRejected?: RejectionListener;
  /**
   * What may be in flight at once; share one between receivers to bound both together. Default: one of its own
   * with the default limits (DEFAULT_ADMISSION_CONFIG).
   */
  admission?: ExportAdmission;
  /** TLS on the port (Collector `tls`); client certificates required when it names a client CA. Default: plain. */
  tls?: TlsServerIdentity;
  /** Bearer tokens a sender must present (Collector `auth: {authenticator: bearertokenauth}`). Default: none asked. */
  auth?: IngestAuth;
}

/** stop() lets in-flight exports finish for up to `shutdownTimeoutMs`, then closes the connections left. */
export interface OtlpHttpReceiver extends OtlpReceiver {
  /**
   * Serves an HTTP/1.x connection accepted elsewhere (the OTLP/gRPC port), paused with its first bytes pushed back,
   * exactly as one accepted on this receiver's own port.
   */
  acceptConnection(socket: Socket): void;
}

export function createDefaultOtlpHttpReceiverOptions(): OtlpHttpReceiverOptions {
  return {
    endpoint: DEFAULT_HTTP_ENDPOINT,
    maxRequestBodyMib: DEFAULT_MAX_REQUEST_BODY_MIB,
    requestTimeoutMs: DEFAULT_REQUEST_TIMEOUT_MS,
    shutdownTimeoutMs: DEFAULT_HTTP_SHUTDOWN_TIMEOUT_MS,
    spanConverter: {},
    logConverter: {},
    metricConverter: {},
  };
}

const KNOWN_OPTION_KEYS = new Set<string>([
  'endpoint',
  'maxRequestBodyMib',
  'requestTimeoutMs',
  'shutdownTimeoutMs',
  'spanConverter',
  'logConverter',
  'metricConverter',
  'collectSpans',
  'onInternalError',
  'onRejected',
  'tls',
  'auth',
  'admission',
  'maxEventsPerExport',
]);
/** Collector options we know but have not built: refused at start rather than silently ignored. */
const NOT_YET_SUPPORTED = new Set<string>(['cors', 'tracesUrlPath', 'logsUrlPath', 'metricsUrlPath']);

/** Throws an Error whose message starts with the path of the first bad option. */
export function validateOtlpHttpReceiverOptions(options: OtlpHttpReceiverOptions, path = 'http'): void {
  for (const key of Object.keys(options)) {
    if (NOT_YET_SUPPORTED.has(key)) throw new Error(`${path}.${key}: not supported yet`);
    if (!KNOWN_OPTION_KEYS.has(key)) throw new Error(`${path}.${key}: unknown option`);
  }
  if (parseHostPort(options.endpoint) === null) {
    throw new Error(`${path}.endpoint: must be host:port with a port 0–${MAX_PORT}, got ${JSON.stringify(options.endpoint)}`);
  }
  if (options.tls !== undefined) validateTlsIdentity(options.tls, `${path}.tls`);
  if (options.auth !== undefined) validateIngestAuth(options.auth, `${path}.auth`);
  const mib = options.maxRequestBodyMib;
  if (typeof mib !== 'number' || !Number.isFinite(mib) || mib <= 0 || mib > MAX_REQUEST_BODY_MIB_LIMIT) {
    throw new Error(`${path}.maxRequestBodyMib: must be a number > 0 and ≤ ${MAX_REQUEST_BODY_MIB_LIMIT}, got ${String(mib)}`);
  }
  const timeout = options.requestTimeoutMs;
  if (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout <= 0 || timeout > MAX_REQUEST_TIMEOUT_MS) {
    throw new Error(`${path}.requestTimeoutMs: must be a number > 0 and ≤ ${MAX_REQUEST_TIMEOUT_MS}, got ${String(timeout)}`);
  }
  const shutdown = options.shutdownTimeoutMs;
  if (typeof shutdown !== 'number' || !Number.isFinite(shutdown) || shutdown < 0) {
    throw new Error(`${path}.shutdownTimeoutMs: must be a number ≥ 0, got ${String(shutdown)}`);
  }
  for (const key of ['onInternalError', 'onRejected'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') throw new Error(`${path}.${key}: must be a function`);
  }
}

type BodyEncoding = 'protobuf' | 'json';
type ContentCoding = 'identity' | 'gzip' | 'deflate';

/** An answer other than success, given instead of exporting. */
interface Refusal {
  ok: false;
  status: number;
  code: number;
  message: string;
  /** Over capacity (retryable, 503 with Retry-After) rather than the request's fault. */
  busy?: boolean;
}

/** The outcome of reading a body: the bytes, or the answer to give instead (null: the client went away). */
type BodyResult = { ok: true; body: Buffer } | Refusal | null;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const inflateRaw = promisify(zlib.inflateRaw);

export function createOtlpHttpReceiver(input: Partial<OtlpHttpReceiverOptions>, consumer: TelemetryConsumer): OtlpHttpReceiver {
  const options: OtlpHttpReceiverOptions = { ...createDefaultOtlpHttpReceiverOptions(), ...stripUndefined(input) };
  validateOtlpHttpReceiverOptions(options);
  const routes = createSignalRoutes(createSignalConverters(options, 'http'));
  const limit = Math.floor(options.maxRequestBodyMib * BYTES_PER_MIB);
  const onInternalError = options.onInternalError;
  const stats = newReceiverStats();
  let inFlight = 0;
  let drained: (() => void) | undefined;
  // Shared with the gRPC receiver when the daemon passes one: bytes and items in flight across both transports.
  const admission = options.admission ?? new ExportAdmission(admissionLimitsOf(DEFAULT_ADMISSION_CONFIG));
  const retryAfterSeconds = String(Math.max(1, Math.ceil(admission.limits.retryAfterMs / MS_PER_SECOND)));
  const onRejected = options.onRejected;
  /** Reports an answer other than a plain 200 (the client's address read from the request's socket). */
  const report = (kind: RejectionKind, req: IncomingMessage, signal: TelemetrySignal | undefined, status: number, reason: string, rejectedItems?: number): void => {
    onRejected?.({ kind, receiver: 'http', signal, peer: peerOfSocket(req.socket), answer: String(status), reason, ...(rejectedItems === undefined ? {} : { rejectedItems }) });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const json = mediaTypeOf(req.headers['content-type']) === 'json';
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const signal = SIGNAL_BY_PATH.get(path);
    // A body that stopped arriving (408) is not waited for; any other is read to its end, up to the limit again.
    const answerEarly = (status: number, code: number, message: string, headers: Record<string, string> = {}, keepConnection = false): void =>
      refuse(req, res, status === HTTP_REQUEST_TIMEOUT ? 0 : limit, status, code, message, json, headers, keepConnection);
    if (signal === undefined) {
      stats.badRequests++;
      report('refused', req, undefined, HTTP_NOT_FOUND, `no OTLP endpoint at ${truncate(path)}`);
      answerEarly(HTTP_NOT_FOUND, RPC_NOT_FOUND, `no OTLP endpoint at ${truncate(path)}; use ${[...SIGNAL_BY_PATH.keys()].join(', ')}`);
      return;
    }
    // Checked before anything else: an unauthenticated sender's export is neither read, counted nor stored.
    const refusal = ingestRefusal(options.auth, req.headers.authorization);
    if (refusal !== '') {
      report('refused', req, signal, HTTP_UNAUTHORIZED, `unauthenticated: ${refusal}`);
      answerEarly(HTTP_UNAUTHORIZED, RPC_UNAUTHENTICATED, `unauthenticated: ${refusal}`, { 'WWW-Authenticate': `${options.auth?.scheme ?? 'Bearer'} realm="firewatch"` });
      return;
    }
    const route = routes[signal];
    const counters = stats[signal];
    counters.requests++;
    const badRequest = (status: number, code: number, message: string, headers: Record<string, string> = {}): void => {
      counters.badRequests++;
      stats.badRequests++;
      report(status === HTTP_BAD_REQUEST ? 'undecodable' : 'refused', req, signal, status, message);
      answerEarly(status, code, message, headers);
    };
    const busy = (message: string): void => {
      counters.refused++;
      report('refused', req, signal, HTTP_SERVICE_UNAVAILABLE, message);
      // The connection is kept: its sender retries on it, as the same connection (admission's fairness is per
      // connection; closing made every refused sender come back as a new, idle one, let in ahead of the others).
      answerEarly(HTTP_SERVICE_UNAVAILABLE, RPC_UNAVAILABLE, message, { 'Retry-After': retryAfterSeconds }, true);
    };
    if (req.method !== 'POST') {
      badRequest(HTTP_METHOD_NOT_ALLOWED, RPC_UNIMPLEMENTED, `${truncate(req.method ?? '')} is not allowed; OTLP/HTTP exports are POSTed`, {
        Allow: 'POST',
      });
      return;
    }
    const encoding = mediaTypeOf(req.headers['content-type']);
    if (encoding === null) {
      badRequest(
        HTTP_UNSUPPORTED_MEDIA_TYPE,
        RPC_INVALID_ARGUMENT,
        `unsupported Content-Type ${JSON.stringify(truncate(req.headers['content-type'] ?? ''))}; send ${CONTENT_TYPE_PROTOBUF} or ${CONTENT_TYPE_JSON}`,
      );
      return;
    }
    const coding = contentCodingOf(req.headers['content-encoding']);
    if (coding === null) {
      badRequest(
        HTTP_UNSUPPORTED_MEDIA_TYPE,
        RPC_INVALID_ARGUMENT,
        `unsupported Content-Encoding ${JSON.stringify(truncate(String(req.headers['content-encoding'])))}`,
        { 'Accept-Encoding': ACCEPTED_ENCODINGS },
      );
      return;
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      badRequest(HTTP_PAYLOAD_TOO_LARGE, RPC_RESOURCE_EXHAUSTED, tooLargeMessage(limit));
      return;
    }

    // The bytes as sent are held once read: reserved now when declared, else counted as they arrive. What
    // decompression and transcoding produce is held as it is produced (never a worst case).
    const admitted = admission.admit(peerOfSocket(req.socket), Number.isFinite(declared) && declared >= 0 ? declared : 0);
    if (admitted instanceof BackpressureError) {
      busy(admitted.message);
      return;
    }
    const ticket = admitted;
    inFlight++;
    try {
      const read = await readBody(req, limit, options.requestTimeoutMs, Number.isFinite(declared) ? undefined : ticket);
      if (read === null) return; // the client went away; nobody to answer
      if (!read.ok) {
        if (read.busy) busy(read.message);
        else badRequest(read.status, read.code, read.message);
        return;
      }
      const inflated = await decompress(read.body, coding, limit, ticket);
      if (!inflated.ok) {
        if (inflated.busy) busy(inflated.message);
        else badRequest(inflated.status, inflated.code, inflated.message);
        return;
      }
      await exportBody(route, inflated.body, encoding, res, ticket);
    } finally {
      ticket.release();
      inFlight--;
      if (inFlight === 0) drained?.();
    }
  };

  const exportBody = async (route: SignalRoute, body: Buffer, encoding: BodyEncoding, res: ServerResponse, ticket: AdmissionTicket): Promise<void> => {
    const json = encoding === 'json';
    let decoded: DecodedExport;
    try {
      const protobuf = json ? transcodeOtlpJson(body, route.signal) : body;
      if (json && !ticket.holdBytes(protobuf.length)) throw admission.refusal('too many request bytes in flight');
      decoded = route.decode(protobuf);
    } catch (error) {
      answerFailure(route, error, res, json);
      return;
    }
    if (!ticket.holdItems(decoded.items)) {
      answerFailure(route, admission.refusal('too many items in flight'), res, json);
      return;
    }
    const batch = batchOf(route, decoded);
    if (batch !== null) {
      try {
        await consumer.consume(batch);
      } catch (error) {
        answerFailure(route, error, res, json);
        return;
      }
    }
    countAcknowledged(stats, route.signal, decoded);
    if (decoded.rejected > 0) report('partially_rejected', res.req, route.signal, HTTP_OK, decoded.errorMessage, decoded.rejected);
    const payload = json
      ? encodeExportResponseJson(route.signal, decoded.rejected, decoded.errorMessage)
      : encodeExportResponse(decoded.rejected, decoded.errorMessage);
    send(res, HTTP_OK, payload, json);
  };

  const answerFailure = (route: SignalRoute, error: unknown, res: ServerResponse, json: boolean): void => {
    const failure = exportFailureOf(error, route.requestName);
    countFailure(stats, route.signal, failure);
    if (failure.kind === 'internal') onInternalError?.(error, route.signal);
    report(failure.kind === 'bad_request' ? 'undecodable' : 'refused', res.req, route.signal, failure.httpStatus, failure.message);
    const headers: Record<string, string> = {};
    if (failure.kind === 'backpressure') {
      const ms = failure.retryAfterMs;
      headers['Retry-After'] = String(ms === undefined ? DEFAULT_RETRY_AFTER_SECONDS : Math.max(1, Math.ceil(ms / MS_PER_SECOND)));
    }
    const body = json ? encodeStatusJson(failure.grpcCode, failure.message) : encodeStatus(failure.grpcCode, failure.message);
    send(res, failure.httpStatus, body, json, headers);
  };

  const requestListener = (req: IncomingMessage, res: ServerResponse): void => {
    handle(req, res).catch((error: unknown) => {
      // Only a bug gets here (decoders throw DecodeError, consumers are caught): answer 500 once, keep serving.
      onInternalError?.(error, SIGNAL_BY_PATH.get((req.url ?? '').split('?', 1)[0]!) ?? 'traces');
      if (!res.headersSent) refuse(req, res, limit, 500, 13, 'internal error', false);
      else res.destroy();
    });
  };
  // `server` takes plain connections: its own port's without TLS, and those handed over by the gRPC port (already
  // decrypted there when that port has TLS). With TLS on this port, an HTTPS server listens on it instead: node
  // terminates TLS, and a listening server runs node's header and request timeouts.
  const server: Server = createServer(requestListener);
  const tlsServer: HttpsServer | undefined =
    options.tls === undefined ? undefined : createHttpsServer(httpsOptionsOf(options.tls), requestListener);
  const listening: Server = tlsServer ?? server;
  const sockets = new Set<Socket>();
  for (const each of tlsServer === undefined ? [server] : [server, tlsServer]) configure(each);
  function configure(target: Server): void {
    target.requestTimeout = options.requestTimeoutMs + NODE_REQUEST_TIMEOUT_SLACK_MS;
    target.headersTimeout = Math.min(NODE_HEADERS_TIMEOUT_MS, options.requestTimeoutMs);
    target.on(target === tlsServer ? 'secureConnection' : 'connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    target.on('clientError', onClientError);
  }
  let mutualTls = options.tls?.clientCa !== undefined;
  function refuseClientCertificate(socket: TLSSocket): void {
    const refusal = clientCertificateRefusal(socket, mutualTls);
    if (refusal === undefined) return;
    onRejected?.({ kind: 'tls_refused', receiver: 'http', signal: undefined, peer: peerOfSocket(socket), answer: 'closed', reason: refusal });
    socket.destroy();
  }
  // Before node:http's own listener: a TLS 1.3 sender's request may already be buffered, and would be parsed there.
  tlsServer?.prependListener('secureConnection', (socket: TLSSocket) => refuseClientCertificate(socket));
  tlsServer?.on('tlsClientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    onRejected?.({ kind: 'tls_refused', receiver: 'http', signal: undefined, peer: peerOfSocket(socket), answer: 'closed', reason: tlsHandshakeFailure(error) });
  });
  // What node:http would answer anyway, plus a report: a gRPC exporter pointed at this port shows up here.
  function onClientError(error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket): void {
    if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
      socket.destroy();
      return;
    }
    const refusal = clientErrorRefusal(error);
    onRejected?.({ kind: refusal.kind, receiver: 'http', signal: undefined, peer: peerOfSocket(socket), answer: refusal.answer, reason: refusal.reason });
    if (refusal.response !== undefined && socket.writable && socket.bytesWritten === 0) {
      // Closed once the answer is flushed, as node:http does: the parser cannot go on after an error.
      socket.write(refusal.response);
      socket.destroySoon();
    } else {
      socket.destroy();
    }
  }

  let started = false;
  let stopping: Promise<void> | undefined;
  /** Servers on the endpoint's other addresses, passing their connections to `listening`. */
  const extraListeners: NetServer[] = [];
  /** Binds one of the endpoint's addresses: the first for `listening` itself, the others as plain servers. */
  function bindAddress(address: string, port: number, first: boolean): Promise<BoundAddress<NetServer>> {
    if (!first) {
      return listenOn(address, port, (socket) => listening.emit('connection', socket)).then((extra) => {
        // Bound while stop() was under way: stop() did not see it, so it closes here.
        if (stopping !== undefined) extra.close();
        else extraListeners.push(extra);
        return { handle: extra, port };
      });
    }
    return new Promise((resolve, reject) => {
      listening.once('error', reject);
      listening.listen(port, address, () => {
        listening.off('error', reject);
        listening.on('error', keepListening);
        resolve({ handle: listening, port: listeningPort(listening, port) });
      });
    });
  }

  return {
    acceptConnection(socket) {
      if (stopping !== undefined) {
        socket.destroy();
        return;
      }
      server.emit('connection', socket);
      socket.resume(); // the sniffer paused it; node:http reads from here on
    },
    async start() {
      if (started) throw new Error('OTLP HTTP receiver already started');
      started = true;
      // Every address the host resolves to, on one port, as the gRPC port binds (receiver/tcp-listener.ts): with
      // `localhost:4318`, senders reach it over 127.0.0.1 and ::1 alike. The server itself listens on the first
      // address that binds (a listening node:http server runs the header and request timeouts for every connection
      // it is handed); the others pass their connections to it.
      // stop() may come while an address is being bound: bind nothing more (stop closes what was bound before it).
      const { port } = await bindEveryAddress(options.endpoint, bindAddress, () => stopping !== undefined);
      if (stopping !== undefined) {
        if (listening.listening) listening.close();
        throw new Error(`OTLP HTTP receiver on ${options.endpoint} stopped while starting`);
      }
      return { port };
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        // The other addresses' servers count the connections they passed on: each closes once those have.
        const extrasClosed = Promise.all(extraListeners.map((extra) => new Promise<void>((closed) => extra.close(() => closed()))));
        if (!listening.listening) {
          for (const socket of sockets) socket.destroy(); // only connections handed over by acceptConnection
          void extrasClosed.then(() => resolve());
          return;
        }
        // Past the grace period, whatever is still open is cut.
        const timer = setTimeout(() => {
          for (const socket of sockets) socket.destroy();
        }, options.shutdownTimeoutMs);
        const listeningClosed = new Promise<void>((closed) => listening.close(() => closed()));
        void Promise.all([listeningClosed, extrasClosed]).then(() => {
          clearTimeout(timer);
          resolve();
        });
        // Idle keep-alive connections go now; busy ones once no export is in flight (their answers flushed first).
        const closeWhenDrained = (): void => {
          server.closeIdleConnections();
          tlsServer?.closeIdleConnections();
          if (inFlight === 0) for (const socket of sockets) socket.destroySoon();
        };
        drained = closeWhenDrained;
        closeWhenDrained();
      });
      return stopping;
    },
    stats() {
      return copyReceiverStats(stats);
    },
    reloadTls(identity) {
      if (tlsServer === undefined) return;
      tlsServer.setSecureContext(httpsOptionsOf(identity));
      // setSecureContext leaves whether certificates are asked for as it was; node reads this field per connection
      mutualTls = identity.clientCa !== undefined;
      Object.assign(tlsServer, { requestCert: mutualTls });
    },
  };
}

/** node:https options of a TLS identity: client certificates required when it names a client CA (mutual TLS). */
function httpsOptionsOf(identity: TlsServerIdentity): HttpsServerOptions {
  const mutual = identity.clientCa !== undefined;
  return {
    cert: identity.cert,
    key: identity.key,
    // asked for, then judged on secureConnection, so that a refused certificate is reported with its reason
    ...(mutual ? { ca: identity.clientCa, requestCert: true } : {}),
    rejectUnauthorized: false,
    minVersion: 'TLSv1.2',
    ALPNProtocols: ['http/1.1'],
  };
}

/** Which OTLP encoding a Content-Type names (parameters such as charset ignored); null when neither. */
function mediaTypeOf(header: string | undefined): BodyEncoding | null {
  if (header === undefined) return null;
  const type = header.split(';', 1)[0]!.trim().toLowerCase();
  if (type === CONTENT_TYPE_PROTOBUF || type === 'application/protobuf') return 'protobuf';
  if (type === CONTENT_TYPE_JSON) return 'json';
  return null;
}

function contentCodingOf(header: string | string[] | undefined): ContentCoding | null {
  if (header === undefined) return 'identity';
  if (Array.isArray(header)) return null;
  const coding = header.trim().toLowerCase();
  if (coding === '' || coding === 'identity') return 'identity';
  if (coding === 'gzip' || coding === 'x-gzip') return 'gzip';
  if (coding === 'deflate') return 'deflate';
  return null;
}

function tooLargeMessage(limit: number): string {
  return `request body larger than ${limit} bytes (maxRequestBodyMib)`;
}

/**
 * Reads the whole body, refusing it once it passes `limit` bytes or takes longer than `timeoutMs`. A body of unknown
 * length holds its bytes on `ticket` as they arrive (503 once the budget is spent); a declared one was held at
 * admission.
 */
function readBody(req: IncomingMessage, limit: number, timeoutMs: number, ticket: AdmissionTicket | undefined): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const settle = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onGone);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) {
        req.pause();
        settle({ ok: false, status: HTTP_PAYLOAD_TOO_LARGE, code: RPC_RESOURCE_EXHAUSTED, message: tooLargeMessage(limit) });
        return;
      }
      if (ticket !== undefined && !ticket.holdRequestBytes(chunk.length)) {
        req.pause();
        settle({ ok: false, status: HTTP_SERVICE_UNAVAILABLE, code: RPC_UNAVAILABLE, message: BUSY_MESSAGE, busy: true });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => settle({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total) });
    const onGone = (): void => settle(null);
    const onClose = (): void => {
      if (!req.complete) settle(null);
    };
    const timer = setTimeout(() => {
      req.pause();
      settle({
        ok: false,
        status: HTTP_REQUEST_TIMEOUT,
        code: RPC_DEADLINE_EXCEEDED,
        message: `request body not received within ${timeoutMs} ms`,
      });
    }, timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onGone);
    req.on('close', onClose);
  });
}

/**
 * The body after Content-Encoding, its inflated size bounded by `limit` (zlib stops there: a bomb costs ≤ limit) and
 * by what the ticket may still hold (503, retryable: the budget frees up as other exports finish). The inflated
 * bytes are held on the ticket.
 */
async function decompress(body: Buffer, coding: ContentCoding, limit: number, ticket: AdmissionTicket): Promise<Exclude<BodyResult, null>> {
  if (coding === 'identity' || body.length === 0) return { ok: true, body };
  const room = ticket.room();
  const zlibOptions = { maxOutputLength: Math.max(1, Math.min(limit, room)) };
  let inflated: Buffer;
  try {
    if (coding === 'gzip') inflated = await gunzip(body, zlibOptions);
    else {
      try {
        inflated = await inflate(body, zlibOptions);
      } catch (error) {
        // Some clients send raw DEFLATE under `deflate`; try that before giving up (but never past the limit).
        if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw error;
        inflated = await inflateRaw(body, zlibOptions);
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      if (room < limit) return { ok: false, status: HTTP_SERVICE_UNAVAILABLE, code: RPC_UNAVAILABLE, message: BUSY_MESSAGE, busy: true };
      return { ok: false, status: HTTP_PAYLOAD_TOO_LARGE, code: RPC_RESOURCE_EXHAUSTED, message: `decompressed ${tooLargeMessage(limit)}` };
    }
    const detail = error instanceof Error ? error.message : String(error);
    return { ok: false, status: HTTP_BAD_REQUEST, code: RPC_INVALID_ARGUMENT, message: `cannot decompress ${coding} body: ${truncate(detail)}` };
  }
  if (!ticket.holdBytes(inflated.length)) return { ok: false, status: HTTP_SERVICE_UNAVAILABLE, code: RPC_UNAVAILABLE, message: BUSY_MESSAGE, busy: true };
  return { ok: true, body: inflated };
}

function send(res: ServerResponse, status: number, body: Buffer, json: boolean, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, {
    'Content-Type': json ? CONTENT_TYPE_JSON : CONTENT_TYPE_PROTOBUF,
    'Content-Length': String(body.length),
    ...headers,
  });
  res.end(body);
}

const CLOSE_CONNECTION = { Connection: 'close' };

/**
 * An answer given before (or instead of) reading the whole body; the connection is closed after it unless
 * `keepConnection`. What the client is still sending is read and thrown away first, up to `discardLimit` bytes:
 * closing a socket with unread bytes makes the kernel reset the connection, and a client still writing its body
 * would lose the answer with it; a kept connection serves the next request once this body is in. Past the bound (or
 * once the request timeout fires: node:http's own) the connection is cut.
 */
function refuse(
  req: IncomingMessage,
  res: ServerResponse,
  discardLimit: number,
  status: number,
  code: number,
  message: string,
  json: boolean,
  headers: Record<string, string> = {},
  keepConnection = false,
): void {
  if (res.headersSent || res.destroyed) return;
  const body = json ? encodeStatusJson(code, message) : encodeStatus(code, message);
  res.writeHead(status, {
    'Content-Type': json ? CONTENT_TYPE_JSON : CONTENT_TYPE_PROTOBUF,
    'Content-Length': String(body.length),
    ...headers,
    ...(keepConnection ? {} : CLOSE_CONNECTION),
  });
  if (req.complete || discardLimit === 0) {
    res.end(body);
    return;
  }
  // The answer goes out now; the response ends (and the socket closes) once the request body is in.
  res.write(body);
  let discarded = 0;
  const finish = (): void => {
    req.off('data', onData);
    req.off('end', finish);
    req.off('close', finish);
    res.end();
  };
  const onData = (chunk: Buffer): void => {
    discarded += chunk.length;
    if (discarded > discardLimit) {
      finish();
      res.destroy();
    }
  };
  req.on('data', onData);
  req.once('end', finish);
  req.once('close', finish);
  req.resume();
}

interface ClientErrorRefusal {
  kind: RejectionKind;
  /** The raw HTTP/1.1 answer, or undefined to just close (the client does not speak HTTP/1.x). */
  response: string | undefined;
  answer: string;
  reason: string;
}

const GRPC_ON_HTTP_PORT =
  'HTTP/2 (gRPC) on the OTLP/HTTP port: send OTLP/gRPC to the gRPC port (4317), or set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf';

/** How node:http's parser errors are answered (as node:http answers them by default) and reported. */
function clientErrorRefusal(error: NodeJS.ErrnoException & { rawPacket?: Buffer }): ClientErrorRefusal {
  const head = error.rawPacket;
  const protocol = head === undefined ? undefined : classifyConnectionStart(head);
  if (protocol === 'http2') return { kind: 'wrong_protocol', response: undefined, answer: 'closed', reason: GRPC_ON_HTTP_PORT };
  if (protocol === 'tls') return { kind: 'wrong_protocol', response: undefined, answer: 'closed', reason: TLS_ON_PLAIN_PORT };
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    return { kind: 'refused', response: 'HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n', answer: '431', reason: 'request headers too large' };
  }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { kind: 'refused', response: 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n\r\n', answer: '408', reason: 'request not received in time' };
  }
  return {
    kind: protocol === 'unknown' ? 'wrong_protocol' : 'undecodable',
    response: 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n',
    answer: '400',
    reason: `malformed HTTP/1.x request (${error.code ?? 'parse error'})`,
  };
}

const MAX_ECHO_LENGTH = 100;

/** The connection an export came over, for admission's per-connection fairness. */
/** Client-sent text echoed in an answer, bounded. */
function truncate(text: string): string {
  return text.length > MAX_ECHO_LENGTH ? `${text.slice(0, MAX_ECHO_LENGTH)}…` : text;
}
