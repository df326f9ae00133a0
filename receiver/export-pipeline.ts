// What the OTLP/gRPC and OTLP/HTTP receivers share: the converters of the three signals, one decode function per
// signal (the same scanners and converters whatever the transport or encoding), the TelemetryBatch handed to the
// consumer, and the counters behind stats().
//
//   gRPC body ───────────────────────┐
//   HTTP protobuf body ──────────────┼─▶ SignalRoute.decode ─▶ DecodedExport ─▶ batchOf ─▶ consumer.consume
//   HTTP JSON body ─▶ json transcode ┘    (decodeTraceRequest / decodeLogsRequest / decodeMetricsRequest)

import type { TelemetryBatch, TelemetrySignal } from './consumer.js';
import type { ExportFailure } from './export-status.js';
import { decodeLogsRequest } from './logs/decode-logs.js';
import { createLogConverter, type LogConverter } from './logs/log-converter.js';
import { createLogConverterOptions, type LogConverterOptionsInput } from './logs/log-converter-options.js';
import { decodeMetricsRequest } from './metrics/decode-metrics.js';
import { createMetricConverter, type MetricConverter } from './metrics/metric-converter.js';
import { createMetricConverterOptions, type MetricConverterOptionsInput } from './metrics/metric-converter-options.js';
import { decodeTraceRequest } from './trace/decode-traces.js';
import { spanRecordFromView } from './trace/span-record.js';
import { UNKNOWN_SERVICE } from './wire/any-value.js';
import { createSpanConverter, type SpanConverter } from './trace/span-converter.js';
import { createSpanConverterOptions, type SpanConverterOptionsInput } from './trace/span-converter-options.js';
import { type SpanRecord } from '../engine/index.js';


/** The conversion options every receiver takes (each defaults to all defaults). */
export interface ConverterOptionsInput {
  /** Span → event conversion (trace/span-converter-options.ts). */
  spanConverter: SpanConverterOptionsInput;
  /** Log record → event conversion (logs/log-converter-options.ts), e.g. `{ minSeverityNumber: 17 }`. */
  logConverter: LogConverterOptionsInput;
  /** Metric point → event conversion (metrics/metric-converter-options.ts): `{ thresholds, maxSeries }`. */
  metricConverter: MetricConverterOptionsInput;
  /** Hand the consumer a SpanRecord of every accepted span (for the engine's trace ring). Default false. */
  collectSpans?: boolean;
}

export interface SignalConverters {
  spans: SpanConverter;
  logs: LogConverter;
  /** Stateful (cumulative histogram series): one per receiver. */
  metrics: MetricConverter;
  collectSpans: boolean;
}

/** Builds and validates the three converters; throws naming `<path>.spanConverter…` etc. */
export function createSignalConverters(options: ConverterOptionsInput, path: string): SignalConverters {
  return {
    spans: createSpanConverter(createSpanConverterOptions(options.spanConverter, `${path}.spanConverter`)),
    logs: createLogConverter(createLogConverterOptions(options.logConverter, `${path}.logConverter`)),
    metrics: createMetricConverter(createMetricConverterOptions(options.metricConverter, `${path}.metricConverter`)),
    collectSpans: options.collectSpans === true,
  };
}

/** The outcome of decoding one request, whatever its signal. */
export interface DecodedExport {
  drafts: TelemetryBatch['drafts'];
  items: number;
  rejected: number;
  errorMessage: string;
  perService?: TelemetryBatch['perService'];
  spans?: TelemetryBatch['spans'];
  services?: TelemetryBatch['services'];
}

export interface SignalRoute {
  signal: TelemetrySignal;
  /** The request message name, for error messages. */
  requestName: string;
  /** Protobuf bytes of the Export request → conversion result; throws DecodeError (only) when undecodable. */
  decode(body: Buffer): DecodedExport;
}

export function createSignalRoutes(converters: SignalConverters): Record<TelemetrySignal, SignalRoute> {
  return {
    traces: {
      signal: 'traces',
      requestName: 'ExportTraceServiceRequest',
      decode(body) {
        if (!converters.collectSpans) {
          const result = decodeTraceRequest(body, converters.spans);
          return { drafts: result.drafts, items: result.spans, rejected: result.rejected, errorMessage: result.errorMessage, perService: result.perService };
        }
        const spans: SpanRecord[] = [];
        const result = decodeTraceRequest(body, converters.spans, {
          onSpan(span, resource, classification) {
            spans.push(spanRecordFromView(span, resource.serviceName ?? UNKNOWN_SERVICE, classification));
          },
        });
        return { drafts: result.drafts, items: result.spans, rejected: result.rejected, errorMessage: result.errorMessage, perService: result.perService, spans };
      },
    },
    logs: {
      signal: 'logs',
      requestName: 'ExportLogsServiceRequest',
      decode(body) {
        const result = decodeLogsRequest(body, converters.logs);
        return { drafts: result.drafts, items: result.logRecords, rejected: result.rejected, errorMessage: result.errorMessage, services: result.services };
      },
    },
    metrics: {
      signal: 'metrics',
      requestName: 'ExportMetricsServiceRequest',
      decode(body) {
        const result = decodeMetricsRequest(body, converters.metrics);
        return { drafts: result.drafts, items: result.dataPoints, rejected: result.rejected, errorMessage: result.errorMessage, services: result.services };
      },
    },
  };
}

/** The batch for the consumer; null when nothing was accepted (nothing to make durable: answer at once). */
export function batchOf(route: SignalRoute, decoded: DecodedExport): TelemetryBatch | null {
  if (decoded.items === 0) return null;
  const batch: TelemetryBatch = {
    signal: route.signal,
    drafts: decoded.drafts,
    items: decoded.items,
    rejected: decoded.rejected,
  };
  if (decoded.perService !== undefined) batch.perService = decoded.perService;
  if (decoded.spans !== undefined) batch.spans = decoded.spans;
  if (decoded.services !== undefined) batch.services = decoded.services;
  return batch;
}

/** A receiver, whatever its transport: what the daemon starts, stops and reads counters from. */
export interface OtlpReceiver {
  /** Binds and serves; resolves with the bound port (the real one when the endpoint asked for port 0). */
  start(): Promise<{ port: number }>;
  /** Stops accepting and lets in-flight exports finish (for a bounded time). */
  stop(): Promise<void>;
  /** A snapshot of the counters (for /metrics and the control API). */
  stats(): ReceiverStats;
}

export interface SignalStats {
  /** Export calls that reached the handler. */
  requests: number;
  /** Items (spans, log records, data points) accepted and acknowledged. */
  accepted: number;
  /** Items rejected by validation and reported through partial_success. */
  rejected: number;
  /** Requests answered INVALID_ARGUMENT (gRPC) or 4xx (HTTP). */
  badRequests: number;
  /** Requests refused with UNAVAILABLE / 503 because the consumer pushed back. */
  refused: number;
  /** Requests answered INTERNAL / 500 because the consumer failed. */
  failed: number;
}

export interface ReceiverStats {
  traces: SignalStats;
  logs: SignalStats;
  metrics: SignalStats;
  /** All signals' bad requests (HTTP: also those to unknown paths or with wrong methods). */
  badRequests: number;
}

function newSignalStats(): SignalStats {
  return { requests: 0, accepted: 0, rejected: 0, badRequests: 0, refused: 0, failed: 0 };
}

export function newReceiverStats(): ReceiverStats {
  return { traces: newSignalStats(), logs: newSignalStats(), metrics: newSignalStats(), badRequests: 0 };
}

export function copyReceiverStats(stats: ReceiverStats): ReceiverStats {
  return { traces: { ...stats.traces }, logs: { ...stats.logs }, metrics: { ...stats.metrics }, badRequests: stats.badRequests };
}

export function countAcknowledged(stats: ReceiverStats, signal: TelemetrySignal, decoded: DecodedExport): void {
  stats[signal].accepted += decoded.items;
  stats[signal].rejected += decoded.rejected;
}

export function countFailure(stats: ReceiverStats, signal: TelemetrySignal, failure: ExportFailure): void {
  const counters = stats[signal];
  if (failure.kind === 'bad_request') {
    counters.badRequests++;
    stats.badRequests++;
  } else if (failure.kind === 'backpressure') {
    counters.refused++;
  } else {
    counters.failed++;
  }
}

export function stripUndefined<T extends object>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined)) as Partial<T>;
}
