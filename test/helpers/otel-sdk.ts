// Sends spans the way an instrumented application does: the OpenTelemetry JS SDK with its OTLP/gRPC exporter.

import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

export interface SpanSpec {
  name: string;
  kind?: SpanKind;
  /** epoch ms; default now */
  startMs?: number;
  durationMs?: number;
  error?: string;
  attributes?: Attributes;
}

/** Exports `spans` for `service` to an OTLP/gRPC endpoint (host:port) and waits until they are acknowledged. */
export async function exportSpans(endpoint: string, service: string, spans: readonly SpanSpec[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `http://${endpoint}` });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [spans.length > 20 ? new BatchSpanProcessor(exporter) : new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('firewatch-tests');
  for (const spec of spans) {
    const startMs = spec.startMs ?? Date.now();
    const span = tracer.startSpan(spec.name, {
      kind: spec.kind ?? SpanKind.SERVER,
      startTime: startMs,
      ...(spec.attributes ? { attributes: spec.attributes } : {}),
    });
    if (spec.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: spec.error });
    span.end(startMs + (spec.durationMs ?? 12));
  }
  await provider.forceFlush();
  await provider.shutdown();
}

/** `count` failing HTTP server spans, one per trace. */
export function errorSpans(count: number, options: { startMs?: number; spacingMs?: number } = {}): SpanSpec[] {
  const start = options.startMs ?? Date.now();
  return Array.from({ length: count }, (_, i) => ({
    name: 'POST /api/orders',
    startMs: start + i * (options.spacingMs ?? 5),
    error: 'upstream timed out',
    attributes: { 'http.request.method': 'POST', 'http.route': '/api/orders', 'http.response.status_code': 500 },
  }));
}

export interface CascadeHop {
  service: string;
  name: string;
  kind?: SpanKind;
  error?: string;
  attributes?: Attributes;
}

/**
 * `traces` traces through `hops` (hops[0] calls hops[1] calls …), every hop failing where it has an `error`;
 * each service exports through its own SDK pipeline, as separate processes would, in `exportOrder`.
 * Returns the trace IDs.
 */
export async function exportCascade(
  endpoint: string,
  hops: readonly CascadeHop[],
  traces: number,
  exportOrder: readonly string[] = hops.map((h) => h.service),
): Promise<string[]> {
  const { trace, context } = await import('@opentelemetry/api');
  const { InMemorySpanExporter } = await import('@opentelemetry/sdk-trace-base');
  const providers = new Map<string, { provider: BasicTracerProvider; memory: InstanceType<typeof InMemorySpanExporter> }>();
  for (const hop of hops) {
    if (providers.has(hop.service)) continue;
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': hop.service }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    providers.set(hop.service, { provider, memory });
  }
  const traceIds: string[] = [];
  const now = Date.now();
  for (let t = 0; t < traces; t++) {
    let parentContext = context.active();
    const open: { span: ReturnType<ReturnType<BasicTracerProvider['getTracer']>['startSpan']>; hop: CascadeHop }[] = [];
    hops.forEach((hop, depth) => {
      const tracer = providers.get(hop.service)!.provider.getTracer('cascade');
      const span = tracer.startSpan(
        hop.name,
        { kind: hop.kind ?? SpanKind.SERVER, startTime: now + t * 10 + depth, ...(hop.attributes ? { attributes: hop.attributes } : {}) },
        parentContext,
      );
      if (depth === 0) traceIds.push(span.spanContext().traceId);
      parentContext = trace.setSpan(parentContext, span);
      open.push({ span, hop });
    });
    for (const { span, hop } of open.reverse()) {
      if (hop.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: hop.error });
      span.end(now + t * 10 + 8);
    }
  }
  // Ship each service's finished spans through a real OTLP/gRPC exporter, one service after another.
  for (const service of exportOrder) {
    const entry = providers.get(service)!;
    const exporter = new OTLPTraceExporter({ url: `http://${endpoint}` });
    const finished = entry.memory.getFinishedSpans();
    await new Promise<void>((resolveExport, reject) =>
      exporter.export(finished, (result) => (result.code === 0 ? resolveExport() : reject(result.error ?? new Error('export failed')))),
    );
    await exporter.shutdown();
    await entry.provider.shutdown();
  }
  return traceIds;
}

/**
 * Spans made through a real SDK pipeline and kept in memory (finished, in the order they ended), so a test can
 * choose how they are split into exports and in which order those are sent (exportFinished).
 */
export async function recordSpans(
  service: string,
  build: (tracer: ReturnType<BasicTracerProvider['getTracer']>) => void,
): Promise<ReadableSpan[]> {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  build(provider.getTracer('firewatch-tests'));
  await provider.forceFlush();
  const finished = memory.getFinishedSpans();
  await provider.shutdown();
  return finished;
}

/** Sends `spans` as one export request through the real OTLP/gRPC exporter; resolves once acknowledged. */
export async function exportFinished(endpoint: string, spans: readonly ReadableSpan[]): Promise<void> {
  const exporter = new OTLPTraceExporter({ url: `http://${endpoint}` });
  await new Promise<void>((resolveExport, reject) =>
    exporter.export([...spans], (result) => (result.code === 0 ? resolveExport() : reject(result.error ?? new Error('export failed')))),
  );
  await exporter.shutdown();
}
