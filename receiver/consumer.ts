// The receiver's downstream: whoever makes events durable (the daemon's engine + store pipeline, or a recording
// sink in tests). The receiver acknowledges an export only after consume() resolves.

import type { ServiceSpanCounts } from './trace/decode-traces.js';
import { type EventDraft, type SpanRecord } from '../engine/index.js';

export type TelemetrySignal = 'traces' | 'logs' | 'metrics';

export interface TelemetryBatch {
  signal: TelemetrySignal;
  /** Events converted from the request (may be empty: most telemetry is healthy). */
  drafts: EventDraft[];
  /** Items accepted: spans, log records or data points. */
  items: number;
  /** Items rejected by validation (already answered through partial_success). */
  rejected: number;
  /** Traces only: accepted spans, requests and failed requests per resource service.name. */
  perService?: Map<string, ServiceSpanCounts>;
  /** Traces only, when the receiver was asked to collect them: every accepted span, compactly. */
  spans?: SpanRecord[];
  /** Logs and metrics: the `service.name` of every resource that sent (traces report theirs in perService). */
  services?: string[];
}

export interface TelemetryConsumer {
  /**
   * Resolves once the events are durable (the export may then be acknowledged). Rejects with BackpressureError →
   * UNAVAILABLE (retryable); any other error → INTERNAL with a short message.
   */
  consume(batch: TelemetryBatch): Promise<void>;
}

/** The consumer cannot take more right now; the client should retry (OTLP: UNAVAILABLE with RetryInfo). */
export class BackpressureError extends Error {
  override readonly name = 'BackpressureError';
  /** How long the client should wait before retrying, when known; sent as google.rpc.RetryInfo. */
  readonly retryAfterMs: number | undefined;

  constructor(message: string, retryAfterMs?: number) {
    super(message);
    this.retryAfterMs = retryAfterMs;
  }
}
