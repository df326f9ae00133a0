// What the corpus scenarios send, made by the real OpenTelemetry JS SDK and shipped by its OTLP/gRPC exporters.
//
//   requests(n, tree) ──▶ one BasicTracerProvider per service (real context propagation: parent IDs, trace IDs)
//                         ──▶ finished ReadableSpans ── keep (tail sampling, a proxy that exports nothing) ──▶
//                         split into export requests (per service, per trace, all in one) ──▶ sendSpans, each export
//                         once or again (an exporter retrying after a lost acknowledgement)
//   logs(…) / gauges(…)   ──▶ LoggerProvider / MeterProvider into memory ──▶ the OTLP exporter, once or again
//
// Time is given relative to the scenario's origin (ms), so a scenario reads as a story: "12 requests 100 ms apart,
// the ledger call failing with LedgerLockTimeout".

import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export { SpanKind };

/** One span of a request, and the spans it makes. */
export interface SpanNode {
  service: string;
  name: string;
  /** Default SERVER. */
  kind?: SpanKind;
  /** Start, ms after the request's start; default the parent's start + 1. */
  at?: number;
  /** Default: 10 ms, or enough to contain the children. */
  durationMs?: number;
  /** Status ERROR with this message ('' for none). */
  error?: string;
  /** recordException: an `exception` event with this type and message. */
  exception?: { type: string; message: string };
  attributes?: Attributes;
  children?: SpanNode[];
  /** False: made (its children point at it) but never exported, as a sampled-away span or an uninstrumented proxy. */
  exported?: boolean;
}

/** How finished spans become export requests. */
export type Split = 'per-service' | 'per-trace' | 'one';

export interface SpanPlan {
  /** Default per-service: each service ships its own spans, as separate processes do. */
  split?: Split;
  /** Services in this order (per-service); default the order they first appear. */
  order?: readonly string[];
  /** Only spans this keeps are exported (tail sampling). Default: every span whose node is not `exported: false`. */
  keep?: (span: ReadableSpan) => boolean;
  /** Each export is sent this many times (an exporter retrying after a lost acknowledgement). Default 1. */
  sends?: number;
}

const HIDDEN = Symbol('hidden');

/**
 * `count` requests shaped by `tree(n)`, starting at `origin` (epoch ms), `spacingMs` apart; the finished spans, in the
 * order they ended. Each service gets its own SDK pipeline.
 */
export async function requests(
  origin: number,
  count: number,
  spacingMs: number,
  tree: (n: number) => SpanNode,
): Promise<ReadableSpan[]> {
  const pipelines = new Map<string, { provider: BasicTracerProvider; memory: InMemorySpanExporter }>();
  const pipeline = (service: string) => {
    let entry = pipelines.get(service);
    if (entry === undefined) {
      const memory = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': service }),
        spanProcessors: [new SimpleSpanProcessor(memory)],
      });
      entry = { provider, memory };
      pipelines.set(service, entry);
    }
    return entry;
  };
  const hidden = new Set<string>();
  const start = (node: SpanNode, parent: Context, parentStart: number): { span: Span; node: SpanNode; startMs: number; children: unknown[] } => {
    const startMs = node.at === undefined ? parentStart + 1 : parentStart + node.at;
    const span = pipeline(node.service).provider.getTracer('corpus').startSpan(
      node.name,
      { kind: node.kind ?? SpanKind.SERVER, startTime: startMs, ...(node.attributes ? { attributes: node.attributes } : {}) },
      parent,
    );
    if (node.exported === false) hidden.add(span.spanContext().spanId);
    const inside = trace.setSpan(parent, span);
    const children = (node.children ?? []).map((child) => start(child, inside, startMs));
    return { span, node, startMs, children };
  };
  type Started = ReturnType<typeof start>;
  const end = (started: Started): number => {
    let last = started.startMs + (started.node.durationMs ?? 10);
    for (const child of started.children as Started[]) last = Math.max(last, end(child) + 1);
    if (started.node.durationMs !== undefined) last = started.startMs + started.node.durationMs;
    const { span, node } = started;
    if (node.exception !== undefined) {
      span.recordException({ name: node.exception.type, message: node.exception.message }, last);
    }
    if (node.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, ...(node.error === '' ? {} : { message: node.error }) });
    span.end(last);
    return last;
  };
  for (let n = 0; n < count; n++) end(start(tree(n), context.active(), origin + n * spacingMs));

  const finished: ReadableSpan[] = [];
  for (const { provider, memory } of pipelines.values()) {
    await provider.forceFlush();
    finished.push(...memory.getFinishedSpans());
    await provider.shutdown();
  }
  for (const span of finished) if (hidden.has(span.spanContext().spanId)) (span as unknown as Record<symbol, boolean>)[HIDDEN] = true;
  return finished;
}

/** Whether the span's node said `exported: false`. */
export function isHidden(span: ReadableSpan): boolean {
  return (span as unknown as Record<symbol, boolean>)[HIDDEN] === true;
}

/** Whether the span ended with status ERROR. */
export function failed(span: ReadableSpan): boolean {
  return span.status.code === SpanStatusCode.ERROR;
}

const serviceOf = (span: ReadableSpan) => String(span.resource.attributes['service.name']);

/** Exports `spans` through the real OTLP/gRPC exporter, split and repeated as `plan` says. */
export async function sendSpans(endpoint: string, spans: readonly ReadableSpan[], plan: SpanPlan = {}): Promise<void> {
  const keep = plan.keep ?? (() => true);
  const kept = spans.filter((span) => !isHidden(span) && keep(span));
  const exports: ReadableSpan[][] = [];
  const split = plan.split ?? 'per-service';
  if (split === 'one') {
    exports.push(kept);
  } else {
    const groups = new Map<string, ReadableSpan[]>();
    for (const service of plan.order ?? []) groups.set(service, []);
    for (const span of kept) {
      const key = split === 'per-service' ? serviceOf(span) : span.spanContext().traceId;
      let group = groups.get(key);
      if (group === undefined) groups.set(key, (group = []));
      group.push(span);
    }
    for (const group of groups.values()) if (group.length > 0) exports.push(group);
  }
  for (const request of exports) {
    for (let send = 0; send < (plan.sends ?? 1); send++) await exportOnce(endpoint, request);
  }
}

async function exportOnce(endpoint: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `http://${endpoint}` });
  await new Promise<void>((resolve, reject) =>
    exporter.export(spans, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('trace export failed')))),
  );
  await exporter.shutdown();
}

export interface LogSpec {
  body: string;
  /** Default ERROR. */
  severity?: SeverityNumber;
  attributes?: Attributes;
  /** ms after the origin. */
  at: number;
}

/**
 * The OTel JS exporters' first retry backoff (1 s, ± 20 % jitter): how long a resent export waits. Log records have
 * no identity of their own, so firewatch takes an identical one for a retry only after such a delay (engine.ts).
 */
export const EXPORTER_RETRY_BACKOFF_MS = 1_000;

export interface LogPlan {
  /** Each export is sent this many times, each resend after the exporter's retry backoff. Default 1. */
  sends?: number;
  /**
   * Every record in an export of its own, as a simple log record processor sends them: all at once, through one
   * exporter. Default: one export.
   */
  oneByOne?: boolean;
}

/** Log records of `service` made through the real Logs SDK, exported as `plan` says. */
export async function sendLogs(endpoint: string, service: string, origin: number, records: readonly LogSpec[], plan: LogPlan = {}): Promise<void> {
  const memory = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    processors: [new SimpleLogRecordProcessor({ exporter: memory })],
  });
  const logger = provider.getLogger('corpus');
  for (const record of records) {
    logger.emit({
      severityNumber: record.severity ?? SeverityNumber.ERROR,
      severityText: SeverityNumber[record.severity ?? SeverityNumber.ERROR],
      body: record.body,
      timestamp: origin + record.at,
      ...(record.attributes ? { attributes: record.attributes } : {}),
    });
  }
  await provider.forceFlush();
  const finished: ReadableLogRecord[] = [...memory.getFinishedLogRecords()];
  await provider.shutdown();
  const exports = plan.oneByOne === true ? finished.map((record) => [record]) : [finished];
  for (let send = 0; send < (plan.sends ?? 1); send++) {
    if (send > 0) await new Promise((resolve) => setTimeout(resolve, EXPORTER_RETRY_BACKOFF_MS));
    const exporter = new OTLPLogExporter({ url: `http://${endpoint}` });
    await Promise.all(
      exports.map(
        (request) =>
          new Promise<void>((resolve, reject) =>
            exporter.export(request, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('log export failed')))),
          ),
      ),
    );
    await exporter.shutdown();
  }
}

/** A reader collected by hand, so a test holds the exact ResourceMetrics an exporter would send (and may resend). */
class HeldReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

export interface GaugeSpec {
  name: string;
  /** One observation per point set: value and attributes. */
  points: readonly { value: number; attributes?: Attributes }[];
}

/**
 * Gauges of one resource collected `collections` times (a few ms apart, as successive export intervals would be),
 * each collection exported `sends` times.
 */
export async function sendGauges(
  endpoint: string,
  resource: Attributes,
  gauges: readonly GaugeSpec[],
  collections: number,
  sends = 1,
): Promise<void> {
  const reader = new HeldReader();
  const provider = new MeterProvider({ resource: resourceFromAttributes(resource), readers: [reader] });
  const meter = provider.getMeter('corpus');
  for (const gauge of gauges) {
    meter.createObservableGauge(gauge.name).addCallback((result) => {
      for (const point of gauge.points) result.observe(point.value, point.attributes ?? {});
    });
  }
  for (let c = 0; c < collections; c++) {
    const { resourceMetrics } = await reader.collect();
    for (let send = 0; send < sends; send++) await exportMetrics(endpoint, resourceMetrics);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  await provider.shutdown();
}

async function exportMetrics(endpoint: string, metrics: ResourceMetrics): Promise<void> {
  const exporter = new OTLPMetricExporter({ url: `http://${endpoint}` });
  await new Promise<void>((resolve, reject) =>
    exporter.export(metrics, (result) => (result.code === 0 ? resolve() : reject(result.error ?? new Error('metric export failed')))),
  );
  await exporter.shutdown();
}

// Shapes that recur across scenarios.

/** An HTTP server span answering `status` (an ERROR status when ≥ 500, with `error` as its message). */
export function httpServer(service: string, route: string, status: number, children: SpanNode[] = [], error?: string): SpanNode {
  return {
    service,
    name: `GET ${route}`,
    kind: SpanKind.SERVER,
    attributes: { 'http.request.method': 'GET', 'http.route': route, 'http.response.status_code': status },
    ...(status >= 500 ? { error: error ?? '' } : {}),
    children,
  };
}

/** A database CLIENT span to `peer` (peer.service when `byPeerService`, else server.address/port), failing with `error`. */
export function dbCall(service: string, peer: { host: string; port?: number; peerService?: string }, error?: string): SpanNode {
  return {
    service,
    name: 'SELECT orders',
    kind: SpanKind.CLIENT,
    attributes: {
      'db.system': 'postgresql',
      'db.operation.name': 'SELECT',
      'server.address': peer.host,
      ...(peer.port !== undefined ? { 'server.port': peer.port } : {}),
      ...(peer.peerService !== undefined ? { 'peer.service': peer.peerService } : {}),
    },
    ...(error !== undefined ? { error } : {}),
  };
}

/** An HTTP CLIENT span to `host:port` (and peer.service when given) answered with `status`. */
export function httpCall(service: string, target: { host: string; port: number; peerService?: string }, status: number, error?: string): SpanNode {
  return {
    service,
    name: 'GET',
    kind: SpanKind.CLIENT,
    attributes: {
      'http.request.method': 'GET',
      'server.address': target.host,
      'server.port': target.port,
      'url.full': `https://${target.host}:${target.port}/v1/resource`,
      'http.response.status_code': status,
      ...(target.peerService !== undefined ? { 'peer.service': target.peerService } : {}),
    },
    ...(status >= 400 ? { error: error ?? '' } : {}),
  };
}

export { SeverityNumber };
