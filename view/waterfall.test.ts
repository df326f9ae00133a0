import { describe, expect, it } from 'vitest';
import type { SpanJson, TraceJson } from '../api/trace.js';
import { buildWaterfall, renderBar, spanMarker, spanProblem, visibleWindow } from './waterfall.js';

const T0 = Date.parse('2026-01-01T10:00:00.000Z');

function span(id: string, depth: number, startOffsetMs: number, durationMs: number, overrides: Partial<SpanJson> = {}): SpanJson {
  return {
    trace_id: 'ab'.repeat(16),
    span_id: id.padStart(16, '0'),
    parent_span_id: '',
    service: 'checkout',
    name: `op ${id}`,
    kind: 'server',
    start: new Date(T0 + startOffsetMs).toISOString(),
    end: new Date(T0 + startOffsetMs + durationMs).toISOString(),
    duration_ms: durationMs,
    status: 'unset',
    status_message: '',
    exception_type: '',
    exception_message: '',
    http_status: 0,
    peer: '',
    failed: false,
    depth,
    ...overrides,
  };
}

function trace(spans: SpanJson[]): TraceJson {
  return { trace_id: 'ab'.repeat(16), services: ['checkout'], incident_ids: [], spans, events: [] };
}

describe('waterfall', () => {
  const tree = trace([
    span('1', 0, 0, 100),
    span('2', 1, 10, 50),
    span('3', 2, 20, 30, { failed: true, status: 'error', http_status: 503, status_message: 'ECONNREFUSED' }),
    span('4', 1, 70, 20),
    span('5', 0, 100, 0),
  ]);

  it('places each span as fractions of the trace', () => {
    const waterfall = buildWaterfall(tree, { rootSpanId: '0000000000000003' });
    expect(waterfall.durationMs).toBe(100);
    expect(waterfall.rows.map((r) => [r.offset, r.width])).toEqual([
      [0, 1],
      [0.1, 0.5],
      [0.2, 0.3],
      [0.7, 0.2],
      [1, 0.002],
    ]);
    expect(waterfall.rows.filter((r) => r.isRootCause).map((r) => r.span.span_id)).toEqual(['0000000000000003']);
    expect(waterfall.failedCount).toBe(1);
  });

  it('hides a collapsed span’s descendants and says how many', () => {
    const waterfall = buildWaterfall(tree, { collapsed: new Set(['0000000000000002', '0000000000000004']) });
    expect(waterfall.rows.map((r) => r.span.span_id.slice(-1))).toEqual(['1', '2', '4', '5']);
    expect(waterfall.rows[1]).toMatchObject({ collapsed: true, hiddenCount: 1, hasChildren: true });
    expect(waterfall.rows[2]).toMatchObject({ collapsed: false, hasChildren: false }); // a leaf cannot collapse
  });

  it('draws bars that mark failure without colour, in Unicode and ASCII', () => {
    const [root, , failing] = buildWaterfall(tree).rows;
    expect(renderBar(root!, 10, true)).toBe('==========');
    expect(renderBar(failing!, 10, true)).toBe('  ###     ');
    expect(renderBar(failing!, 10)).toBe('  ▓▓▓     ');
    expect(spanMarker(failing!.span, true)).toBe('x');
    expect(spanProblem(failing!.span)).toBe('HTTP 503: ECONNREFUSED');
  });

  it('keeps the selection inside the visible window', () => {
    expect(visibleWindow(5000, 0, 0, 20)).toEqual({ top: 0, end: 20 });
    expect(visibleWindow(5000, 25, 0, 20)).toEqual({ top: 6, end: 26 });
    expect(visibleWindow(5000, 3, 6, 20)).toEqual({ top: 3, end: 23 });
    expect(visibleWindow(10, 9, 0, 20)).toEqual({ top: 0, end: 10 });
  });

  it('builds a 5,000-span trace in one pass', () => {
    const spans = Array.from({ length: 5000 }, (_, i) => span(String(i + 1), i === 0 ? 0 : 1 + (i % 5), i, 1));
    const waterfall = buildWaterfall(trace(spans));
    expect(waterfall.rows).toHaveLength(5000);
  });
});
