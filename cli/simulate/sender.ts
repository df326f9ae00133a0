// A TelemetryPlan → real OTLP/gRPC, through the OpenTelemetry JS SDK the way instrumented services produce it:
//
//   plan.traces ──▶ per-service BasicTracerProvider (explicit start/end times, parent contexts across services)
//                     └─ span.logs ──▶ per-service LoggerProvider, emitted in the span's context (trace/span IDs)
//                   ──▶ in-memory ──▶ OTLPTraceExporter / OTLPLogExporter: one request per ≤ EXPORT_CHUNK items,
//                                     every service's resource in it, acknowledged before send() returns
//   plan.metrics ──▶ per-service MeterProvider, synchronous gauges ──▶ StampedMetricReader.collectAt(time)
//                   ──▶ OTLPMetricExporter, one request per collection
//
// Each service is a resource of its own (`service.name` = the component): the SDK's NodeSDK runs one resource per
// process and registers global providers, so it does not fit a run that plays several services at once.
// Spans and logs are recorded into memory first and exported explicitly, so that an export failure comes back to
// the caller (SendError) instead of into the SDK's diagnostic logger. This module loads the SDK: import it lazily
// (`await import(…)`) so that other commands do not pay for it.

import { type Context, type Gauge, type HrTime, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type Logger } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-grpc';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { InMemoryLogRecordExporter, LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LOG_SEVERITY_NUMBER, type PlanAttributes, type PlanSpanKind, type SpanPlan, type TelemetryPlan } from './telemetry-plan.js';

/** Items per export request: far under the receiver's default 4 MiB message limit for spans this size. */
const EXPORT_CHUNK = 512;
/** ExportResultCode.SUCCESS of @opentelemetry/core (not a dependency of ours). */
const EXPORT_SUCCESS = 0;
const INSTRUMENTATION_SCOPE = 'firewatch-simulate';

export interface TelemetrySenderOptions {
  /** OTLP/gRPC receiver, `host:port` (plaintext). */
  endpoint: string;
  /** Added to every resource (e.g. the simulation ID). */
  resourceAttributes?: PlanAttributes;
  /** Deadline of each export request, ms. */
  exportTimeoutMs: number;
}

export interface SendResult {
  /** Trace IDs of the plan's traces (hex), in plan order. */
  traceIds: string[];
  spans: number;
  logs: number;
  points: number;
}

export interface TelemetrySender {
  /** Records and exports the plan; resolves once the receiver acknowledged every request. */
  send(plan: TelemetryPlan): Promise<SendResult>;
  /** Closes the exporters' channels (the process cannot exit before). */
  shutdown(): Promise<void>;
}

/** The receiver did not take the telemetry (unreachable, refused, timed out). */
export class SendError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SendError';
  }
}

const SPAN_KINDS: Readonly<Record<PlanSpanKind, SpanKind>> = {
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  internal: SpanKind.INTERNAL,
};

export function createTelemetrySender(options: TelemetrySenderOptions): TelemetrySender {
  return new SdkTelemetrySender(options);
}

interface ServicePipelines {
  tracerProvider?: BasicTracerProvider;
  spans?: InMemorySpanExporter;
  loggerProvider?: LoggerProvider;
  logger?: Logger;
  logs?: InMemoryLogRecordExporter;
  meterProvider?: MeterProvider;
  reader?: StampedMetricReader;
  gauges?: Map<string, Gauge>;
}

class SdkTelemetrySender implements TelemetrySender {
  private readonly url: string;
  private readonly services = new Map<string, ServicePipelines>();
  private traceExporter?: OTLPTraceExporter;
  private logExporter?: OTLPLogExporter;
  private metricExporter?: OTLPMetricExporter;

  constructor(private readonly options: TelemetrySenderOptions) {
    this.url = `http://${options.endpoint}`;
  }

  async send(plan: TelemetryPlan): Promise<SendResult> {
    const traceIds: string[] = [];
    const touched = new Set<ServicePipelines>();
    for (const root of plan.traces) traceIds.push(this.record(root, ROOT_CONTEXT, touched).spanContext().traceId);

    const spans: ReadableSpan[] = [];
    const logs: ReadableLogRecord[] = [];
    for (const pipelines of touched) {
      if (pipelines.spans) {
        spans.push(...pipelines.spans.getFinishedSpans());
        pipelines.spans.reset();
      }
      if (pipelines.logs) {
        logs.push(...pipelines.logs.getFinishedLogRecords());
        pipelines.logs.reset();
      }
    }
    // In the order they ended, as the services' own batch processors would have shipped them (the deepest callee
    // first); spans before logs, so that the events of the logs find their traces already in the daemon's ring.
    spans.sort((a, b) => hrTimeMs(a.endTime) - hrTimeMs(b.endTime));
    logs.sort((a, b) => hrTimeMs(a.hrTime) - hrTimeMs(b.hrTime));
    for (let i = 0; i < spans.length; i += EXPORT_CHUNK) {
      await exportWith(this.tracesOut(), spans.slice(i, i + EXPORT_CHUNK), 'spans', this.options.endpoint);
    }
    for (let i = 0; i < logs.length; i += EXPORT_CHUNK) {
      await exportWith(this.logsOut(), logs.slice(i, i + EXPORT_CHUNK), 'log records', this.options.endpoint);
    }

    let points = 0;
    for (const collection of plan.metrics) {
      const pipelines = this.meterFor(collection.service);
      for (const reading of collection.readings) {
        let gauge = pipelines.gauges!.get(reading.metric);
        if (gauge === undefined) {
          gauge = pipelines.meterProvider!.getMeter(INSTRUMENTATION_SCOPE).createGauge(reading.metric, { unit: reading.unit });
          pipelines.gauges!.set(reading.metric, gauge);
        }
        gauge.record(reading.value, reading.attributes);
      }
      const metrics = await pipelines.reader!.collectAt(collection.timeMs);
      points += collection.readings.length;
      await exportWith(this.metricsOut(), metrics, 'metric points', this.options.endpoint);
    }
    return { traceIds, spans: spans.length, logs: logs.length, points };
  }

  async shutdown(): Promise<void> {
    const closing: Promise<unknown>[] = [];
    for (const pipelines of this.services.values()) {
      if (pipelines.tracerProvider) closing.push(pipelines.tracerProvider.shutdown());
      if (pipelines.loggerProvider) closing.push(pipelines.loggerProvider.shutdown());
      if (pipelines.meterProvider) closing.push(pipelines.meterProvider.shutdown());
    }
    if (this.traceExporter) closing.push(this.traceExporter.shutdown());
    if (this.logExporter) closing.push(this.logExporter.shutdown());
    if (this.metricExporter) closing.push(this.metricExporter.shutdown());
    this.services.clear();
    await Promise.allSettled(closing);
  }

  /** Starts `plan` (and its subtree) under `parent`, emits its logs in its context, ends it. */
  private record(plan: SpanPlan, parent: Context, touched: Set<ServicePipelines>): Span {
    const pipelines = this.tracerFor(plan.service);
    touched.add(pipelines);
    const tracer = pipelines.tracerProvider!.getTracer(INSTRUMENTATION_SCOPE);
    const span = tracer.startSpan(plan.name, { kind: SPAN_KINDS[plan.kind], startTime: plan.startMs, attributes: plan.attributes }, parent);
    const here = trace.setSpan(parent, span);
    if (plan.logs && plan.logs.length > 0) {
      const logger = this.loggerFor(plan.service, pipelines);
      for (const log of plan.logs) {
        logger.emit({
          timestamp: log.timeMs,
          observedTimestamp: log.timeMs,
          severityNumber: LOG_SEVERITY_NUMBER[log.severity],
          severityText: log.severity,
          body: log.body,
          attributes: log.attributes,
          context: here,
        });
      }
    }
    for (const child of plan.children ?? []) this.record(child, here, touched);
    if (plan.error) {
      const endMs = plan.startMs + plan.durationMs;
      span.recordException({ name: plan.error.exceptionType ?? 'Error', message: plan.error.message }, endMs);
      span.setStatus({ code: SpanStatusCode.ERROR, message: plan.error.message });
    }
    span.end(plan.startMs + plan.durationMs);
    return span;
  }

  private pipelinesOf(service: string): ServicePipelines {
    let pipelines = this.services.get(service);
    if (pipelines === undefined) {
      pipelines = {};
      this.services.set(service, pipelines);
    }
    return pipelines;
  }

  private resourceOf(service: string) {
    return resourceFromAttributes({ ...this.options.resourceAttributes, 'service.name': service });
  }

  private tracerFor(service: string): ServicePipelines {
    const pipelines = this.pipelinesOf(service);
    if (pipelines.tracerProvider === undefined) {
      pipelines.spans = new InMemorySpanExporter();
      pipelines.tracerProvider = new BasicTracerProvider({
        resource: this.resourceOf(service),
        spanProcessors: [new SimpleSpanProcessor(pipelines.spans)],
      });
    }
    return pipelines;
  }

  private loggerFor(service: string, pipelines: ServicePipelines): Logger {
    if (pipelines.logger === undefined) {
      pipelines.logs = new InMemoryLogRecordExporter();
      pipelines.loggerProvider = new LoggerProvider({
        resource: this.resourceOf(service),
        processors: [new SimpleLogRecordProcessor({ exporter: pipelines.logs })],
      });
      pipelines.logger = pipelines.loggerProvider.getLogger(INSTRUMENTATION_SCOPE);
    }
    return pipelines.logger;
  }

  private meterFor(service: string): ServicePipelines {
    const pipelines = this.pipelinesOf(service);
    if (pipelines.meterProvider === undefined) {
      pipelines.reader = new StampedMetricReader();
      pipelines.meterProvider = new MeterProvider({ resource: this.resourceOf(service), readers: [pipelines.reader] });
      pipelines.gauges = new Map();
    }
    return pipelines;
  }

  private tracesOut(): OTLPTraceExporter {
    this.traceExporter ??= new OTLPTraceExporter({ url: this.url, timeoutMillis: this.options.exportTimeoutMs });
    return this.traceExporter;
  }

  private logsOut(): OTLPLogExporter {
    this.logExporter ??= new OTLPLogExporter({ url: this.url, timeoutMillis: this.options.exportTimeoutMs });
    return this.logExporter;
  }

  private metricsOut(): OTLPMetricExporter {
    this.metricExporter ??= new OTLPMetricExporter({ url: this.url, timeoutMillis: this.options.exportTimeoutMs });
    return this.metricExporter;
  }
}

interface Exporter<T> {
  export(items: T, done: (result: { code: number; error?: Error }) => void): void;
}

function exportWith<T>(exporter: Exporter<T>, items: T, what: string, endpoint: string): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(items, (result) => {
      if (result.code === EXPORT_SUCCESS) resolve();
      else reject(new SendError(`could not send ${what} to the OTLP/gRPC receiver at ${endpoint}: ${reasonOf(result.error)}`));
    });
  });
}

/**
 * A pull reader driven by the sender: each collectAt(time) is one collection, its points stamped `time`. A
 * simulation compresses minutes of periodic host metrics into one run, so the points carry the times the plan
 * gives them rather than the instant of the run (gauges have no meaningful start time: it is set to the same).
 */
class StampedMetricReader extends MetricReader {
  async collectAt(timeMs: number): Promise<ResourceMetrics> {
    const { resourceMetrics, errors } = await this.collect();
    if (errors.length > 0) throw new SendError(`could not collect metrics: ${String(errors[0])}`);
    const stamp = hrTimeOf(timeMs);
    return {
      resource: resourceMetrics.resource,
      scopeMetrics: resourceMetrics.scopeMetrics.map((scope) => ({
        ...scope,
        metrics: scope.metrics.map((metric) => ({
          ...metric,
          dataPoints: metric.dataPoints.map((point) => ({ ...point, startTime: stamp, endTime: stamp })),
        })),
      })) as ResourceMetrics['scopeMetrics'],
    };
  }

  protected override async onForceFlush(): Promise<void> {}

  protected override async onShutdown(): Promise<void> {}
}

/** grpc-js messages end with an empty "Resolution note:"; the first line says what happened. */
function reasonOf(error: Error | undefined): string {
  if (error === undefined) return 'export failed';
  return error.message.split('\n')[0]!.replace(/\s*Resolution note:\s*$/, '').trim() || 'export failed';
}

function hrTimeMs(time: HrTime): number {
  return time[0] * 1000 + time[1] / 1e6;
}

function hrTimeOf(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}
