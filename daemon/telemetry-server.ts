// firewatch's own HTTP endpoint for operators and orchestrators, configured under `service.telemetry.metrics`
// (checked by daemon/config.ts):
//
//   GET|HEAD /metrics ─▶ 200 render() in the Prometheus text format 0.0.4 (500 when render() throws)
//   GET|HEAD /healthz ─▶ 200 "ok" whenever the process answers at all (liveness)
//   GET|HEAD /readyz  ─▶ 200 "ready" once ready() is true, else 503 "not ready" (readiness: state restored,
//                        receivers listening; false again while stopping)
//   other paths 404, other methods 405 with `Allow: GET, HEAD`.
//
// Bounded by construction: request bodies are never read (every answer closes the connection, so an unread body
// is dropped with it), headers must arrive within HEADERS_TIMEOUT_MS, at most MAX_CONNECTIONS sockets are open.
// It binds only the configured host: the default 127.0.0.1:8888 (the Collector's own telemetry port) is local;
// exposing it to a Prometheus elsewhere is an explicit `endpoint: 0.0.0.0:8888`.

import { parseHostPort, withPort } from '../common/endpoint.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../common/logger.js';
import { PROMETHEUS_TEXT_CONTENT_TYPE } from './metrics-registry.js';

export const METRICS_PATH = '/metrics';
export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** Headers must be complete this soon after the connection opens. */
const HEADERS_TIMEOUT_MS = 10_000;
/** The whole request (headers; no body is read) and the answer. */
const REQUEST_TIMEOUT_MS = 15_000;
/** Scrapers and probes open one connection at a time; this only stops a flood from holding sockets. */
const MAX_CONNECTIONS = 64;
const ALLOWED_METHODS = 'GET, HEAD';
const PLAIN_TEXT = 'text/plain; charset=utf-8';
export interface TelemetryServerOptions {
  /** host:port; port 0 picks a free port (see TelemetryServer.endpoint). */
  endpoint: string;
  /** The /metrics body (self-metrics.ts render()). */
  render: () => string;
  /** Whether /readyz answers 200. */
  ready: () => boolean;
  log: Logger;
}

export interface TelemetryServer {
  /** host:port actually bound (port 0 resolved). */
  readonly endpoint: string;
  /** Stops listening and closes open connections; idempotent. */
  stop(): Promise<void>;
}

export async function startTelemetryServer(options: TelemetryServerOptions): Promise<TelemetryServer> {
  const { render, ready, log } = options;
  const parts = parseHostPort(options.endpoint);
  if (parts === null) throw new Error(`telemetry endpoint must be host:port, got ${JSON.stringify(options.endpoint)}`);

  const answer = (req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string): void => {
    const payload = Buffer.from(body, 'utf8');
    res.writeHead(status, {
      'Content-Type': contentType,
      'Content-Length': payload.length,
      'Cache-Control': 'no-store',
      Connection: 'close',
    });
    if (req.method === 'HEAD') res.end();
    else res.end(payload);
  };

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== METRICS_PATH && path !== HEALTH_PATH && path !== READY_PATH) {
      answer(req, res, 404, PLAIN_TEXT, 'not found');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', ALLOWED_METHODS);
      answer(req, res, 405, PLAIN_TEXT, 'method not allowed');
      return;
    }
    if (path === HEALTH_PATH) {
      answer(req, res, 200, PLAIN_TEXT, 'ok');
    } else if (path === READY_PATH) {
      const isReady = checkReady(ready, log);
      answer(req, res, isReady ? 200 : 503, PLAIN_TEXT, isReady ? 'ready' : 'not ready');
    } else {
      let text: string;
      try {
        text = render();
      } catch (error) {
        log.error('cannot render metrics', { error: (error as Error).message });
        answer(req, res, 500, PLAIN_TEXT, 'cannot render metrics');
        return;
      }
      answer(req, res, 200, PROMETHEUS_TEXT_CONTENT_TYPE, text);
    }
  });
  server.headersTimeout = HEADERS_TIMEOUT_MS;
  server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.maxConnections = MAX_CONNECTIONS;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(new Error(`cannot listen on ${options.endpoint}: ${error.message}`));
    server.once('error', onError);
    server.listen(parts.port, parts.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  // A failure after listening (none is expected) must not crash the daemon through an unhandled 'error' event.
  server.on('error', (error) => log.error('telemetry server error', { error: error.message }));

  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : parts.port;
  const endpoint = withPort(options.endpoint, port);

  let stopping: Promise<void> | undefined;
  return {
    endpoint,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function checkReady(ready: () => boolean, log: Logger): boolean {
  try {
    return ready() === true;
  } catch (error) {
    log.error('readiness check failed', { error: (error as Error).message });
    return false;
  }
}
