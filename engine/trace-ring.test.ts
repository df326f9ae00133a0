import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { span, spanId, traceId } from '../test/helpers/engine-fixtures.js';
import { TraceRing, createTraceRing, DEFAULT_TRACE_RING_CAPACITY } from './trace-ring.js';
import type { SpanRecord } from './types.js';

describe('TraceRing', () => {
  it('gives back every field of a span as it was pushed', () => {
    // prepare
    const ring = new TraceRing(4);
    const full = span({
      trace_id: traceId(0xabc),
      span_id: 'ffffffffffffffff',
      parent_span_id: '0123456789abcdef',
      service: 'payments',
      name: 'POST /charge',
      kind: 3,
      start_ms: 1738751400000.125,
      end_ms: 1738751400250.5,
      status_code: 2,
      status_message: 'card processor timed out',
      exception_type: 'ProcessorTimeout',
      exception_message: 'no answer',
      http_status: 504,
      peer: 'processor',
      failed: true,
      user: 'user-7',
    });
    const root = span({ trace_id: traceId(0xabc), span_id: spanId(1), parent_span_id: '', kind: 0, status_code: 1 });

    // act
    ring.push(full);
    ring.push(root);

    // verify
    expect(ring.spansForTrace(traceId(0xabc))).toEqual([full, root]);
    expect(ring.spansForTrace(traceId(0xabc))[0]).not.toBe(full); // a copy: the record itself is not kept
  });

  it('keeps IDs that are not 16 lowercase hex characters as text, and forgets them on eviction', () => {
    const ring = new TraceRing(2);
    const odd = span({ trace_id: 't', span_id: 'ABCDEF0123456789', parent_span_id: 'short' });
    const empty = span({ trace_id: 't', span_id: '', parent_span_id: 'zzzzzzzzzzzzzzzz' });
    ring.push(odd);
    ring.push(empty);
    expect(ring.spansForTrace('t').map((s) => [s.span_id, s.parent_span_id])).toEqual([
      ['ABCDEF0123456789', 'short'],
      ['', 'zzzzzzzzzzzzzzzz'],
    ]);
    ring.push(span({ trace_id: 'u', span_id: spanId(3) }));
    ring.push(span({ trace_id: 'u', span_id: spanId(4) }));
    expect(ring.spansForTrace('t')).toEqual([]);
    expect(ring.spansForTrace('u').map((s) => s.span_id)).toEqual([spanId(3), spanId(4)]);
  });

  it('clamps out-of-range numbers instead of storing garbage', () => {
    const ring = new TraceRing(1);
    ring.push(span({ kind: 9, status_code: 7, http_status: 70000 }));
    expect(ring.toArray()[0]).toMatchObject({ kind: 0, status_code: 0, http_status: 0 });
  });

  it('evicts oldest first and reports the trace whose last span left', () => {
    // prepare
    const ring = new TraceRing(3);
    const a1 = span({ trace_id: 'a', span_id: spanId(1) });
    const b1 = span({ trace_id: 'b', span_id: spanId(2) });
    const a2 = span({ trace_id: 'a', span_id: spanId(3) });

    // act
    const left = [a1, b1, a2, span({ trace_id: 'c', span_id: spanId(4) }), span({ trace_id: 'c', span_id: spanId(5) })].map(
      (s) => ring.push(s),
    );

    // verify: a1 leaving keeps trace a (a2 is still there); b1 leaving drops trace b
    expect(left).toEqual(['', '', '', '', 'b']);
    expect(ring.traceIds().sort()).toEqual(['a', 'c']);
    expect(ring.spansForTrace('a').map((s) => s.span_id)).toEqual([spanId(3)]);
    expect(ring.size).toBe(3);
    expect(ring.pushed).toBe(5);
  });

  it('limit returns the newest spans of a trace, oldest first', () => {
    const ring = new TraceRing(10);
    for (let i = 0; i < 6; i++) ring.push(span({ trace_id: 't', span_id: spanId(i) }));
    expect(ring.spansForTrace('t', 2).map((s) => s.span_id)).toEqual([spanId(4), spanId(5)]);
    expect(ring.pushNumbersOf('t', 3)).toEqual([3, 4, 5]);
  });

  it('the index only ever references spans in the ring, and all of them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.constantFrom('', 't1', 't2', 't3', 't4'), { maxLength: 80 }),
        (capacity, traces) => {
          const ring = new TraceRing(capacity);
          const pushed: SpanRecord[] = [];
          traces.forEach((traceId, i) => {
            const record = span({ trace_id: traceId, span_id: spanId(i) });
            pushed.push(record);
            ring.push(record);

            const inRing = pushed.slice(Math.max(0, pushed.length - capacity));
            expect(ring.toArray()).toEqual(inRing);
            // every ring span with a trace ID is indexed under its trace, in arrival order; nothing else is
            for (const id of ring.traceIds()) {
              expect(ring.spansForTrace(id)).toEqual(inRing.filter((s) => s.trace_id === id));
            }
            const withTrace = new Set(inRing.filter((s) => s.trace_id !== '').map((s) => s.trace_id));
            expect(new Set(ring.traceIds())).toEqual(withTrace);
            expect(ring.traceCount).toBeLessThanOrEqual(ring.size);
          });
        },
      ),
    );
  });

  it('clear empties ring and index', () => {
    const ring = createTraceRing(4);
    ring.push(span());
    ring.clear();
    expect([ring.size, ring.traceCount, ring.pushed]).toEqual([0, 0, 0]);
    expect(ring.spansForTrace(traceId(1))).toEqual([]);
  });

  it('rejects a bad capacity; defaults to 200,000', () => {
    expect(() => new TraceRing(0)).toThrow(/capacity/);
    expect(new TraceRing().capacity).toBe(DEFAULT_TRACE_RING_CAPACITY);
    expect(DEFAULT_TRACE_RING_CAPACITY).toBe(200_000);
  });
});
