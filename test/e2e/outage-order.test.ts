// One outage, every arrival order: a frontend whose calls to inventory are refused (what auto-instrumented http +
// express record), exported by the real SDK in every split and order, through the real daemon. The incident must not
// depend on which export lands first: same type, severity, anchor, title, root span, and PagerDuty paged each time.
// Also: request-level error rates (healthy middleware spans do not dilute them) and the caller of a refused peer.

import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';
import { exportFinished, recordSpans } from '../helpers/otel-sdk.js';

type Json = Record<string, any>;

const REQUESTS = 12;
/** Where the frontend expects inventory: nothing listens there, so every call is refused. */
const INVENTORY = { host: '127.0.0.1', port: 8081 };
const INVENTORY_PEER = `${INVENTORY.host}:${INVENTORY.port}`;
/** express's router adds these healthy INTERNAL spans to every request. */
const MIDDLEWARE = ['middleware - query', 'middleware - expressInit', 'request handler - /checkout'];

interface RequestOptions {
  /** The handler calls inventory (refused) and answers 500; false: the handler itself fails with 500. */
  callsInventory: boolean;
  /** enduser.id / user.id / session.id on the server span, by request number. */
  user?: (n: number) => Attributes;
}

/**
 * `REQUESTS` requests to GET /checkout as @opentelemetry/instrumentation-http and -express record them with their
 * default (pre-stable) semantic conventions: a SERVER span answering 500, express's INTERNAL spans, and (when the
 * handler calls inventory) a CLIENT span failing with ECONNREFUSED that names its peer only by net.peer.name/port.
 */
function frontendRequests(tracer: Tracer, start: number, options: RequestOptions): void {
  for (let n = 0; n < REQUESTS; n++) {
    const at = start + n * 100;
    const server = tracer.startSpan(
      'GET /checkout',
      {
        kind: SpanKind.SERVER,
        startTime: at,
        attributes: { 'http.method': 'GET', 'http.target': '/checkout', 'http.route': '/checkout', ...(options.user?.(n) ?? {}) },
      },
      context.active(),
    );
    const inServer = trace.setSpan(context.active(), server);
    let handler = server;
    MIDDLEWARE.forEach((name, i) => {
      const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: at + 1 + i, attributes: { 'express.type': 'middleware' } }, inServer);
      if (i === MIDDLEWARE.length - 1) handler = span;
      else span.end(at + 2 + i);
    });
    if (options.callsInventory) {
      const client = tracer.startSpan(
        'GET',
        {
          kind: SpanKind.CLIENT,
          startTime: at + 5,
          attributes: {
            'http.method': 'GET',
            'http.url': `http://${INVENTORY_PEER}/stock/42`,
            'net.peer.name': INVENTORY.host,
            'net.peer.port': INVENTORY.port,
          },
        },
        trace.setSpan(context.active(), handler),
      );
      const refused = Object.assign(new Error(`connect ECONNREFUSED ${INVENTORY_PEER}`), { code: 'ECONNREFUSED' });
      client.recordException(refused);
      client.setStatus({ code: SpanStatusCode.ERROR, message: refused.message });
      client.end(at + 7);
    }
    handler.end(at + 8);
    server.setAttribute('http.status_code', 500);
    server.setStatus({ code: SpanStatusCode.ERROR });
    server.end(at + 9);
  }
}

async function cliJson(daemon: DaemonProcess, ...args: string[]): Promise<any> {
  const result = await runCli([...args, '--socket', daemon.socket, '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('one outage, every arrival order', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it('names a refused peer without peer.service by host:port, and lists the caller among the components', async () => {
    // prepare
    daemon = await startDaemon(workspace);
    const spans = await recordSpans('frontend', (tracer) => frontendRequests(tracer, Date.now() - 5_000, { callsInventory: true }));

    // act: only the client spans (the frontend's call to inventory)
    await exportFinished(daemon.otlpEndpoint, spans.filter((span) => span.kind === SpanKind.CLIENT));

    // verify
    const incidents = (await cliJson(daemon, 'incidents', 'list')) as Json[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ incident_type: 'service_down', affected_components: [INVENTORY_PEER, 'frontend'] });
    const { timeline } = (await cliJson(daemon, 'incidents', 'get', incidents[0]!.incident_id, '--timeline')) as Json;
    expect(timeline[0]).toMatchObject({ event_type: 'service_unavailable', source: INVENTORY_PEER, metadata: { caller: 'frontend', peer: INVENTORY_PEER } });
  });

  it('escalates an express app answering 500 to every request: healthy middleware spans are not requests', async () => {
    // prepare
    daemon = await startDaemon(workspace);
    const spans = await recordSpans('shop', (tracer) => frontendRequests(tracer, Date.now() - 5_000, { callsInventory: false }));

    // act
    await exportFinished(daemon.otlpEndpoint, spans);

    // verify
    const incidents = (await cliJson(daemon, 'incidents', 'list')) as Json[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0]).toMatchObject({ incident_type: 'error_burst', severity: 'critical', peak_error_rate: 1 });
    expect(incidents[0]!.notes.join('\n')).toContain('100% of shop requests failed');
  });

  it('counts user.id and session.id on spans as users', async () => {
    // prepare
    daemon = await startDaemon(workspace);
    const users = (n: number): Attributes => (n % 3 === 0 ? { 'enduser.id': `e-${n}` } : n % 3 === 1 ? { 'user.id': `u-${n}` } : { 'session.id': `s-${n}` });
    const spans = await recordSpans('shop', (tracer) => frontendRequests(tracer, Date.now() - 5_000, { callsInventory: false, user: users }));

    // act
    await exportFinished(daemon.otlpEndpoint, spans);

    // verify
    const incidents = (await cliJson(daemon, 'incidents', 'list')) as Json[];
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.users_affected).toBe(REQUESTS);
  });
});
