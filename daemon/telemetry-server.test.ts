import { request } from 'node:http';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../common/logger.js';
import { PROMETHEUS_TEXT_CONTENT_TYPE } from './metrics-registry.js';
import { parsePrometheusText } from './prometheus-text.js';
import { startTelemetryServer, type TelemetryServer, type TelemetryServerOptions } from './telemetry-server.js';

// `service.telemetry` is checked by daemon/config.ts; its tests are in daemon/config.test.ts.

const METRICS_TEXT = '# HELP up_total Up.\n# TYPE up_total counter\nup_total 1\n';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request on its own connection (the server closes every connection after its answer). */
function call(endpoint: string, method: string, path: string, body?: string): Promise<Answer> {
  const [host, port] = [endpoint.slice(0, endpoint.lastIndexOf(':')), Number(endpoint.slice(endpoint.lastIndexOf(':') + 1))];
  return new Promise((resolve, reject) => {
    const req = request({ host, port, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info() {}, warn() {}, error: (message, fields) => errors.push(`${message} ${JSON.stringify(fields)}`) };
}

describe('startTelemetryServer', () => {
  let server: TelemetryServer | undefined;
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  const start = async (overrides: Partial<TelemetryServerOptions> = {}): Promise<TelemetryServer> => {
    server = await startTelemetryServer({
      endpoint: '127.0.0.1:0',
      render: () => METRICS_TEXT,
      ready: () => true,
      log: recordingLogger(),
      ...overrides,
    });
    return server;
  };

  it('binds the configured host on a free port and reports it', async () => {
    const { endpoint } = await start();
    expect(endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(endpoint).not.toBe('127.0.0.1:0');
  });

  it('serves /metrics in the text format 0.0.4, and HEAD with the same headers and no body', async () => {
    // prepare
    const { endpoint } = await start();
    // act
    const get = await call(endpoint, 'GET', '/metrics');
    const head = await call(endpoint, 'HEAD', '/metrics?name[]=x');
    // verify
    expect(get.status).toBe(200);
    expect(get.headers['content-type']).toBe(PROMETHEUS_TEXT_CONTENT_TYPE);
    expect(get.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(get.body).toBe(METRICS_TEXT);
    expect(parsePrometheusText(get.body).get('up_total')!.type).toBe('counter');
    expect(get.headers.connection).toBe('close');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe(String(Buffer.byteLength(METRICS_TEXT)));
    expect(head.body).toBe('');
  });

  it('renders at every scrape', async () => {
    let scrapes = 0;
    const { endpoint } = await start({ render: () => `scrapes ${++scrapes}\n` });
    await call(endpoint, 'GET', '/metrics');
    expect((await call(endpoint, 'GET', '/metrics')).body).toBe('scrapes 2\n');
  });

  it('answers /healthz while serving and /readyz once ready', async () => {
    // prepare
    let ready = false;
    const { endpoint } = await start({ ready: () => ready });
    // act
    const health = await call(endpoint, 'GET', '/healthz');
    const notReady = await call(endpoint, 'GET', '/readyz');
    ready = true;
    const nowReady = await call(endpoint, 'GET', '/readyz');
    // verify
    expect([health.status, health.body]).toEqual([200, 'ok']);
    expect([notReady.status, notReady.body]).toEqual([503, 'not ready']);
    expect([nowReady.status, nowReady.body]).toEqual([200, 'ready']);
  });

  it('answers 404 for other paths and 405 with Allow for other methods', async () => {
    const { endpoint } = await start();
    const missing = await call(endpoint, 'GET', '/metricsx');
    const root = await call(endpoint, 'GET', '/');
    const post = await call(endpoint, 'POST', '/metrics', 'x'.repeat(100_000));
    const del = await call(endpoint, 'DELETE', '/readyz');
    expect([missing.status, root.status]).toEqual([404, 404]);
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect(del.status).toBe(405);
  });

  it('answers 500 and logs when rendering fails, 503 when the readiness check throws, and keeps serving', async () => {
    // prepare
    const log = recordingLogger();
    const { endpoint } = await start({
      log,
      render: () => {
        throw new Error('store closed');
      },
      ready: () => {
        throw new Error('not yet');
      },
    });
    // act
    const metrics = await call(endpoint, 'GET', '/metrics');
    const ready = await call(endpoint, 'GET', '/readyz');
    const health = await call(endpoint, 'GET', '/healthz');
    // verify
    expect(metrics.status).toBe(500);
    expect(ready.status).toBe(503);
    expect(health.status).toBe(200);
    expect(log.errors).toEqual([expect.stringContaining('store closed'), expect.stringContaining('not yet')]);
  });

  it('stops listening on stop(), once however often it is called', async () => {
    const { endpoint } = await start();
    const first = server!.stop();
    expect(server!.stop()).toBe(first);
    await first;
    await expect(call(endpoint, 'GET', '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });

  it('fails to start on a port in use, naming the endpoint, and on a malformed endpoint', async () => {
    // prepare
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      // act / verify
      await expect(start({ endpoint: `127.0.0.1:${port}` })).rejects.toThrow(`cannot listen on 127.0.0.1:${port}`);
      await expect(start({ endpoint: 'localhost' })).rejects.toThrow(/host:port/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});
