// One outage, every arrival order: a frontend whose calls to inventory are refused (what auto-instrumented http +
// express record), exported by the real SDK in every split and order, through the real daemon. The incident must not
// depend on which export lands first: same type, severity, anchor, title, root span, and PagerDuty paged each time.
// Also: request-level error rates (healthy middleware spans do not dilute them) and the caller of a refused peer.

import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventually,
  makeWorkspace,
  removeWorkspace,
  runCli,
  startDaemon,
  writeConfig,
  type DaemonProcess,
} from '../helpers/daemon-process.js';
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
  /** Also this many healthy requests (GET /health, 200): the frontend's error rate stays under 50 %. */
  healthy?: number;
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
  for (let n = 0; n < (options.healthy ?? 0); n++) {
    const at = start + n * 100 + 50;
    const attributes = { 'http.method': 'GET', 'http.target': '/health', 'http.route': '/health', 'http.status_code': 200 };
    tracer.startSpan('GET /health', { kind: SpanKind.SERVER, startTime: at, attributes }, context.active()).end(at + 2);
  }
}

/** A stand-in for PagerDuty's Events API that records what it is sent. */
async function startPagerDuty(): Promise<{ url: string; events: Json[]; server: Server }> {
  const events: Json[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      events.push(JSON.parse(body) as Json);
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"success"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v2/enqueue`, events, server };
}

const isClient = (span: ReadableSpan) => span.kind === SpanKind.CLIENT;

/** How the frontend's finished spans are split into exports, in sending order. */
const ORDERS: [string, (spans: ReadableSpan[]) => ReadableSpan[][]][] = [
  ['client spans first', (spans) => [spans.filter(isClient), spans.filter((s) => !isClient(s))]],
  ['server side first', (spans) => [spans.filter((s) => !isClient(s)), spans.filter(isClient)]],
  [
    'interleaved, one export per request',
    (spans) => {
      const byTrace = new Map<string, ReadableSpan[]>();
      for (const span of spans) byTrace.set(span.spanContext().traceId, [...(byTrace.get(span.spanContext().traceId) ?? []), span]);
      return [...byTrace.values()];
    },
  ],
  ['one export, in the order the spans ended', (spans) => [spans]],
];

async function cliJson(daemon: DaemonProcess, ...args: string[]): Promise<any> {
  const result = await runCli([...args, '--socket', daemon.socket, '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

/** The title without its trailing `- YYYY-MM-DD HH:MM` (each daemon detects at its own wall-clock minute). */
const titleSubject = (title: string) => title.replace(/ - \d{4}-\d{2}-\d{2} \d{2}:\d{2}$/, '');

describe('one outage, every arrival order', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let pagerduty: Awaited<ReturnType<typeof startPagerDuty>> | undefined;
  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    pagerduty?.server.closeAllConnections();
    pagerduty?.server.close();
    pagerduty = undefined;
    removeWorkspace(workspace);
  });

  it.each(ORDERS)('a refused peer is one critical service_down incident anchored at the peer (%s)', async (_name, split) => {
    // prepare
    pagerduty = await startPagerDuty();
    daemon = await startDaemon(
      workspace,
      writeConfig(workspace, ['exporters:', `  pagerduty: { routing_key: "R0UTINGKEY0000000000000000000001", events_url: "${pagerduty.url}" }`].join('\n')),
    );
    // 15 healthy requests beside the 12 failing ones: the frontend's 44 % error rate alone would not make it critical.
    const spans = await recordSpans('frontend', (tracer) => frontendRequests(tracer, Date.now() - 5_000, { callsInventory: true, healthy: 15 }));

    // act
    for (const exportRequest of split(spans)) await exportFinished(daemon.otlpEndpoint, exportRequest);

    // verify
    const incidents = (await cliJson(daemon, 'incidents', 'list')) as Json[];
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident).toMatchObject({ incident_type: 'service_down', severity: 'critical', event_count: 2 * REQUESTS });
    expect(incident.root_cause.primary_source).toBe(INVENTORY_PEER);
    expect(titleSubject(incident.title)).toBe(`Service Down - ${INVENTORY_PEER}`);
    expect(incident.root_cause.root_span).toMatchObject({ service: INVENTORY_PEER, caller: 'frontend', span_name: 'GET' });
    // The caller shows beside the peer (their order is the order they first appeared in).
    expect([...incident.affected_components].sort()).toEqual(['frontend', INVENTORY_PEER].sort());
    // The one-line summary says what the incident's record last said of the cause (the assessing step, or a revision).
    const detail = await runCli(['incidents', 'get', incident.incident_id, '--socket', daemon.socket]);
    const cause = `service_unavailable on ${INVENTORY_PEER}`;
    expect(detail.stdout).toContain(`root cause    ${cause}\n`);
    expect(detail.stdout).toContain(`root span   frontend → ${INVENTORY_PEER} "GET"`);
    const revisions = (incident.notes as string[]).filter((note) => note.startsWith('root cause revised: '));
    const assessed = (incident.status_history as Json[]).find((change) => change.to === 'assessing')!.reason as string;
    expect(revisions.at(-1) ?? assessed).toContain(`: ${cause}`);
    // The daemon's log names the same anchor: its latest word on the incident (opened, or re-typed since).
    const said = daemon.logs().split('\n').filter((line) => / incident (opened|retyped) /.test(line));
    expect(said.at(-1)).toContain(`type=service_down`);
    expect(said.at(-1)).toContain(`primary_source=${INVENTORY_PEER}`);
    expect(said.at(-1)).toContain(`title="${titleSubject(incident.title)} - `);
    // Critical pages: PagerDuty got a trigger at critical severity.
    await eventually(async () => (pagerduty!.events.some((e) => e.event_action === 'trigger' && e.payload?.severity === 'critical') ? true : undefined));
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
