import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { EventRing } from './event-ring.js';
import { RingBuffer } from './ring-buffer.js';
import type { IncidentEvent } from './types.js';

describe('RingBuffer', () => {
  it('returns what it evicts, oldest first', () => {
    // prepare
    const ring = new RingBuffer<string>(3);

    // act
    const evicted = ['a', 'b', 'c', 'd', 'e'].map((item) => ring.push(item));

    // verify
    expect(evicted).toEqual([undefined, undefined, undefined, 'a', 'b']);
    expect(ring.toArray()).toEqual(['c', 'd', 'e']);
    expect([ring.size, ring.pushed, ring.at(0), ring.newest(), ring.at(3)]).toEqual([3, 5, 'c', 'e', undefined]);
  });

  it('clear empties it and returns the items', () => {
    const ring = new RingBuffer<number>(2);
    [1, 2, 3].forEach((n) => ring.push(n));
    expect(ring.clear()).toEqual([2, 3]);
    expect([ring.size, ring.pushed, ring.toArray()]).toEqual([0, 0, []]);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses capacity %s', (capacity) => {
    expect(() => new RingBuffer(capacity)).toThrow(RangeError);
  });

  it('behaves like a bounded FIFO (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer(), { maxLength: 60 }), (capacity, items) => {
        const ring = new RingBuffer<number>(capacity);
        const model: number[] = [];
        for (const item of items) {
          model.push(item);
          const expected = model.length > capacity ? model.shift() : undefined;
          expect(ring.push(item)).toBe(expected);
        }
        expect(ring.toArray()).toEqual(model);
      }),
    );
  });
});

function event(seq: number, traceId: string): IncidentEvent {
  return {
    event_id: `evt_${seq}`,
    timestamp: seq,
    event_type: 'error',
    source: 'svc',
    severity: 'high',
    message: '',
    metadata: {},
    correlation_id: traceId,
    span_id: '',
    seq,
    received_at: seq,
    incident_id: '',
  };
}

describe('EventRing', () => {
  it('indexes events by trace ID and unindexes what it evicts in the same push', () => {
    // prepare
    const ring = new EventRing(3);
    const [a1, b1, a2, c1] = [event(1, 'a'), event(2, 'b'), event(3, 'a'), event(4, 'c')];

    // act
    [a1, b1, a2].forEach((e) => ring.push(e!));
    const evicted = ring.push(c1!);

    // verify
    expect(evicted).toBe(a1);
    expect(ring.eventsForTrace('a')).toEqual([a2]);
    expect(ring.eventsForTrace('b')).toEqual([b1]);
    expect(ring.eventsForTrace('nope')).toEqual([]);
    expect(ring.traceIds().sort()).toEqual(['a', 'b', 'c']);
  });

  it('drops a trace from the index when its last event leaves the ring', () => {
    const ring = new EventRing(2);
    ring.push(event(1, 'a'));
    ring.push(event(2, 'b'));
    ring.push(event(3, ''));
    ring.push(event(4, ''));
    expect(ring.traceCount).toBe(0);
    expect(ring.eventsForTrace('a')).toEqual([]);
  });

  it('the index only ever references events in the ring, and all of them (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }),
        fc.array(fc.constantFrom('', 't1', 't2', 't3', 't4'), { maxLength: 80 }),
        (capacity, traces) => {
          const ring = new EventRing(capacity);
          traces.forEach((traceId, i) => {
            ring.push(event(i + 1, traceId));

            const inRing = ring.toArray();
            const indexed = ring.traceIds().flatMap((id) => ring.eventsForTrace(id));
            // every indexed event is in the ring …
            expect(indexed.every((e) => inRing.includes(e))).toBe(true);
            // … every ring event with a trace ID is indexed, once, under its own trace, in arrival order
            expect(indexed).toHaveLength(inRing.filter((e) => e.correlation_id !== '').length);
            for (const id of ring.traceIds()) {
              expect(ring.eventsForTrace(id)).toEqual(inRing.filter((e) => e.correlation_id === id));
            }
            // the index never outgrows the ring
            expect(ring.traceCount).toBeLessThanOrEqual(ring.size);
          });
        },
      ),
    );
  });
});
