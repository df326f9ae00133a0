import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { span, spanId, traceId } from '../test/helpers/engine-fixtures.js';
import { MAX_KEPT_ATTRIBUTE_BYTES, SpanAttributeLog } from './span-attribute-log.js';
import { TraceRing } from './trace-ring.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('SpanAttributeLog', () => {
  it('gives back what was appended until a later lap overwrites it; entries never wrap', () => {
    const log = new SpanAttributeLog(0);
    log.reserve(1000);
    const source = new Uint8Array(400).map((_, i) => i & 0xff);
    const first = log.append(source, 0, 300);
    const second = log.append(source, 100, 400);
    expect(log.bytesAt(first, 300)).toEqual(source.subarray(0, 300));
    expect(log.bytesAt(second, 300)).toEqual(source.subarray(100, 400));
    // 600 bytes used: a third 300-byte entry fits (900), a fourth does not fit the lap's end and starts the next
    // lap, over the first entry.
    const third = log.append(source, 0, 300);
    const fourth = log.append(source, 50, 350);
    expect(log.bytesAt(first, 300)).toHaveLength(0);
    expect(log.bytesAt(second, 300)).toEqual(source.subarray(100, 400));
    expect(log.bytesAt(third, 300)).toEqual(source.subarray(0, 300));
    expect(log.bytesAt(fourth, 300)).toEqual(source.subarray(50, 350));
    // A copy: changing it leaves the log alone.
    log.bytesAt(fourth, 300).fill(0);
    expect(log.bytesAt(fourth, 300)).toEqual(source.subarray(50, 350));
  });

  it('refuses empty entries and entries over the bound; growing forgets what it held', () => {
    const log = new SpanAttributeLog();
    const big = new Uint8Array(MAX_KEPT_ATTRIBUTE_BYTES + 1);
    expect(log.append(big, 0, big.length)).toBe(-1);
    expect(log.append(big, 3, 3)).toBe(-1);
    expect(log.bytesAt(-1, 10)).toHaveLength(0);
    const kept = log.append(bytes(1, 2, 3), 0, 3);
    expect(log.bytesAt(kept, 3)).toEqual(bytes(1, 2, 3));
    log.reserve(1 << 20);
    expect(log.bytesAt(kept, 3)).toHaveLength(0);
    log.reserve(1000); // smaller: nothing changes
    const after = log.append(bytes(4), 0, 1);
    expect(log.bytesAt(after, 1)).toEqual(bytes(4));
  });

  it('a share smaller than an entry (a tiny trace ring) still holds the longest entry', () => {
    const log = new SpanAttributeLog();
    log.reserve(2 * 128); // a two-slot ring's share
    const entry = new Uint8Array(MAX_KEPT_ATTRIBUTE_BYTES).fill(7);
    const at = log.append(entry, 0, entry.length);
    expect(log.bytesAt(at, entry.length)).toEqual(entry);
  });

  it('an entry reads back as written or not at all, whatever the sequence of appends (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2 * MAX_KEPT_ATTRIBUTE_BYTES, max: 4000 }), fc.array(fc.integer({ min: 0, max: MAX_KEPT_ATTRIBUTE_BYTES + 20 }), { maxLength: 60 }), (size, lengths) => {
        const log = new SpanAttributeLog(0);
        log.reserve(size);
        const entries: Array<{ at: number; content: Uint8Array }> = [];
        lengths.forEach((length, n) => {
          const content = new Uint8Array(length).fill(n + 1);
          const at = log.append(content, 0, length);
          if (length === 0 || length > MAX_KEPT_ATTRIBUTE_BYTES) expect(at).toBe(-1);
          else entries.push({ at, content });
        });
        let newestLost = -1;
        entries.forEach(({ at, content }, i) => {
          const read = log.bytesAt(at, content.length);
          if (read.length === 0) newestLost = i;
          else expect(read).toEqual(content);
        });
        // Only the oldest are lost, and never the newest entry.
        entries.slice(0, newestLost + 1).forEach(({ at, content }) => expect(log.bytesAt(at, content.length)).toHaveLength(0));
        if (entries.length > 0) expect(newestLost).toBeLessThan(entries.length - 1);
      }),
    );
  });
});

describe('TraceRing span attributes', () => {
  it('keeps a record\'s attribute bytes and count, gives them only when asked, and forgets them on eviction', () => {
    const ring = new TraceRing(2);
    const wire = bytes(0x4a, 0x00);
    ring.push(span({ trace_id: traceId(1), span_id: spanId(1), attributes_wire: wire, attributes_sent: 3 }));
    expect(ring.spansForTrace(traceId(1), Number.POSITIVE_INFINITY, true)[0]).toMatchObject({ attributes_wire: wire, attributes_sent: 3 });
    expect(ring.spansForTrace(traceId(1))[0]).toMatchObject({ attributes_wire: new Uint8Array(0), attributes_sent: 0 });
    ring.push(span({ trace_id: traceId(2), span_id: spanId(2) }));
    ring.push(span({ trace_id: traceId(3), span_id: spanId(3) })); // takes trace 1's slot
    expect(ring.spansForTrace(traceId(3), Number.POSITIVE_INFINITY, true)[0]).toMatchObject({ attributes_wire: new Uint8Array(0), attributes_sent: 0 });
  });
});
