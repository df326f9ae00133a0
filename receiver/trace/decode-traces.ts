// ExportTraceServiceRequest bytes → what the receiver hands the engine: event drafts for the spans that matter,
// accepted/rejected counts for the OTLP answer, and per-service request totals (for error-rate escalation: a request
// is a SERVER or CONSUMER span, else a local root, engine/types.ts isRequestSpan).
//
//   Buffer ─scanTraceRequest─▶ SpanViewFast ─classify─▶ (most spans: counted, done)
//                                                   └─▶ toDraft ─▶ drafts[]
//
// Per request this allocates the result, one Map entry per service and one draft per interesting span; per ordinary
// span nothing (decode.bench measures the whole path).

import { UNKNOWN_SERVICE } from '../wire/any-value.js';
import { rejectionMessage } from '../rejection-message.js';
import { createSpanConverter, SPAN_FLAG_FAILED, type SpanConverter } from './span-converter.js';
import type { ResourceViewFast, SpanViewFast } from './span-view.js';
import { scanTraceRequest, type TraceScanVisitor } from './trace-scanner.js';
import { SPAN_FLAGS_PARENT_IS_REMOTE, isRequestSpan, type EventDraft, type ServiceTotals } from '../../engine/index.js';

/** What one export says of one service: its requests and failed requests (ServiceTotals), and all its spans. */
export interface ServiceSpanCounts extends ServiceTotals {
  /** Spans accepted from this service (requests and the spans inside them). */
  spans: number;
}

export interface TraceDecodeResult {
  drafts: EventDraft[];
  /** Spans accepted. */
  spans: number;
  /** Spans rejected (IDs of the wrong length); they are not in `spans`, `drafts` or `perService`. */
  rejected: number;
  /** Why spans were rejected (first reason, and how many more), '' when none were. */
  errorMessage: string;
  /** Accepted spans, requests and failed requests per resource `service.name` (UNKNOWN_SERVICE when absent). */
  perService: Map<string, ServiceSpanCounts>;
}

export interface TraceDecodeHooks {
  /**
   * Called for every accepted span after classification, e.g. to copy it into a trace ring. The view is valid only
   * during the call (see SpanViewFast).
   */
  onSpan?(span: SpanViewFast, resource: ResourceViewFast, classification: number): void;
}

/**
 * Decodes and converts one request. Throws DecodeError (only) when the bytes are not a decodable request; spans
 * with bad IDs are counted in `rejected` instead.
 */
export function decodeTraceRequest(
  bytes: Uint8Array,
  converter: SpanConverter = DEFAULT_CONVERTER,
  hooks: TraceDecodeHooks = {},
): TraceDecodeResult {
  const visitor = new DecodeTracesVisitor(converter, hooks);
  scanTraceRequest(bytes, visitor);
  return visitor.result();
}

const DEFAULT_CONVERTER = createSpanConverter();

class DecodeTracesVisitor implements TraceScanVisitor {
  private readonly converter: SpanConverter;
  private readonly onSpan: TraceDecodeHooks['onSpan'];
  private readonly drafts: EventDraft[] = [];
  private readonly perService = new Map<string, ServiceSpanCounts>();
  private spans = 0;
  private rejected = 0;
  private firstRejection = '';
  /** Totals of the current resource's service, looked up once per resource rather than per span. */
  private counts: ServiceSpanCounts = { spans: 0, requests: 0, failedRequests: 0 };

  constructor(converter: SpanConverter, hooks: TraceDecodeHooks) {
    this.converter = converter;
    this.onSpan = hooks.onSpan;
  }

  resource(resource: ResourceViewFast): void {
    const service = resource.serviceName ?? UNKNOWN_SERVICE;
    let counts = this.perService.get(service);
    if (counts === undefined) {
      counts = { spans: 0, requests: 0, failedRequests: 0 };
      this.perService.set(service, counts);
    }
    this.counts = counts;
  }

  span(span: SpanViewFast, resource: ResourceViewFast): void {
    this.spans++;
    const counts = this.counts;
    counts.spans++;
    const classification = this.converter.classify(span);
    if (isRequestSpan(span.kind, span.parentLen !== 0, (span.flags & SPAN_FLAGS_PARENT_IS_REMOTE) === SPAN_FLAGS_PARENT_IS_REMOTE)) {
      counts.requests++;
      if ((classification & SPAN_FLAG_FAILED) !== 0) counts.failedRequests++;
    }
    if (classification !== 0) {
      const draft = this.converter.toDraft(span, resource, classification);
      if (draft !== null) this.drafts.push(draft);
    }
    if (this.onSpan !== undefined) this.onSpan(span, resource, classification);
  }

  rejectedSpan(span: SpanViewFast, resource: ResourceViewFast, reason: string): void {
    if (this.rejected === 0) this.firstRejection = `span ${span.index} in resource ${resource.index}: ${reason}`;
    this.rejected++;
  }

  result(): TraceDecodeResult {
    // Services whose every span was rejected would only add noise to error-rate accounting.
    for (const [service, counts] of this.perService) if (counts.spans === 0) this.perService.delete(service);
    return {
      drafts: this.drafts,
      spans: this.spans,
      rejected: this.rejected,
      errorMessage: rejectionMessage(this.firstRejection, this.rejected, 'span'),
      perService: this.perService,
    };
  }
}
