// One request may make at most DecodeLimits.maxEvents events, whatever its signal: items that would become events
// past the bound are rejected (counted for partial_success, with a reason that says what to do), the rest accepted.

import { describe, expect, it } from 'vitest';
import { decodeLogsRequest } from './logs/decode-logs.js';
import { decodeMetricsRequest } from './metrics/decode-metrics.js';
import { createMetricConverter } from './metrics/metric-converter.js';
import { realisticLogsRequest, realisticMetricsRequest } from '../test/helpers/receiver/logs-metrics-fixtures.js';
import { encodeWith, otlpTypes } from '../test/helpers/receiver/otlp-oracle.js';
import { realisticTraceRequest } from '../test/helpers/receiver/trace-fixtures.js';
import { decodeTraceRequest } from './trace/decode-traces.js';

const types = otlpTypes();
const REASON = /more than 5 events in one export \(max_events_per_export\): the rest were rejected; send smaller batches/;

describe('max events per export', () => {
  it('traces: failing spans past the bound are rejected, healthy spans still accepted', () => {
    // 100 spans, every 5th failing: 20 would be events.
    const body = encodeWith(types.TraceRequest, realisticTraceRequest({ spans: 100, errorRate: 0.2, seed: 3 }));
    const unbounded = decodeTraceRequest(body);
    expect(unbounded.drafts).toHaveLength(20);
    const bounded = decodeTraceRequest(body, undefined, {}, { maxEvents: 5 });
    expect(bounded.drafts).toHaveLength(5);
    expect(bounded.rejected).toBe(15);
    expect(bounded.spans).toBe(85);
    expect(bounded.errorMessage).toMatch(REASON);
    expect(bounded.errorMessage).toMatch(/and 14 more rejected spans/);
    expect(bounded.perService.get('checkout')).toEqual({ spans: 85, requests: 85, failedRequests: 5 });
  });

  it('logs: records that would become events past the bound are rejected', () => {
    const body = encodeWith(types.LogsRequest, realisticLogsRequest({ records: 200, errorRate: 0.1, seed: 4 }));
    const unbounded = decodeLogsRequest(body);
    expect(unbounded.drafts.length).toBeGreaterThan(5);
    const bounded = decodeLogsRequest(body, undefined, { maxEvents: 5 });
    expect(bounded.drafts).toHaveLength(5);
    expect(bounded.rejected).toBe(unbounded.drafts.length - 5);
    expect(bounded.logRecords + bounded.rejected).toBe(unbounded.logRecords);
    expect(bounded.errorMessage).toMatch(REASON);
  });

  it('metrics: points that could become events past the bound are rejected', () => {
    // A first collection primes the cumulative series; the second one crosses thresholds (memory and latency).
    const first = encodeWith(types.MetricsRequest, realisticMetricsRequest({ tick: 0, hot: true }));
    const body = encodeWith(types.MetricsRequest, realisticMetricsRequest({ tick: 1, hot: true }));
    const primed = () => {
      const converter = createMetricConverter();
      decodeMetricsRequest(first, converter);
      return converter;
    };
    const unbounded = decodeMetricsRequest(body, primed());
    expect(unbounded.drafts.length).toBeGreaterThan(1);
    const bounded = decodeMetricsRequest(body, primed(), { maxEvents: 1 });
    expect(bounded.drafts).toHaveLength(1);
    expect(bounded.rejected).toBeGreaterThan(0);
    expect(bounded.dataPoints + bounded.rejected).toBe(unbounded.dataPoints);
    expect(bounded.errorMessage).toMatch(/more than 1 events? in one export/);
  });
});
