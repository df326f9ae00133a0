// Pre-encoded OTLP trace export requests for the ingest benchmark, built from the receiver's realistic fixtures
// (100 HTTP server spans with ~10 attributes, a share of failing spans) and stamped with the current time, so the
// daemon's detection windows see live traffic. Encoding uses the protobufjs oracle: it runs before timing starts.

import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';

export interface RequestShape {
  spansPerRequest: number;
  /** Share of spans with status ERROR and HTTP 500, e.g. 0.02. */
  errorRatio: number;
  services: readonly string[];
  /** Spans of one trace in a request; default 1 (the worst case for trace indexing). */
  spansPerTrace?: number;
  /** Event time of the first span (epoch ms); default now. */
  nowMs?: number;
}

export const DEFAULT_SHAPE: RequestShape = {
  spansPerRequest: 100,
  errorRatio: 0.02,
  services: ['frontend', 'checkout', 'payments', 'inventory', 'search'],
};

/** `count` distinct encoded requests, cycling through the services. */
export function buildTraceRequests(count: number, shape: RequestShape = DEFAULT_SHAPE): Buffer[] {
  const { TraceRequest } = otlpTypes();
  const startMs = shape.nowMs ?? Date.now() - 1_000;
  return Array.from({ length: count }, (_, seed) =>
    encodeWith(
      TraceRequest,
      realisticTraceRequest({
        spans: shape.spansPerRequest,
        errorRate: shape.errorRatio,
        seed: seed + 1,
        service: shape.services[seed % shape.services.length]!,
        startMs,
        spansPerTrace: shape.spansPerTrace ?? 1,
      }),
    ),
  );
}
