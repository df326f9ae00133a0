// Sends spans the way an instrumented application does: the OpenTelemetry JS SDK with its OTLP/gRPC exporter.

import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

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
