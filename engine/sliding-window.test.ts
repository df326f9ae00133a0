import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { GroupTable, GroupWindow } from './sliding-window.js';
import type { IncidentEvent } from './types.js';

function event(timestamp: number, seq = timestamp, source = 'svc'): IncidentEvent {
  return {
    event_id: `evt_${seq}`,
    timestamp,
    event_type: 'error',
    source,
    severity: 'high',
    message: '',
    metadata: {},
    correlation_id: '',
    span_id: '',
    seq,
    received_at: timestamp,
    incident_id: '',
  };
}

const times = (window: GroupWindow<unknown>) => window.toArray().map((e) => e.timestamp);

describe('GroupWindow', () => {
  it.each([
    { name: 'in order', input: [1, 2, 3], windowMs: 10, expected: [1, 2, 3] },
    { name: 'late arrival lands in place', input: [5, 9, 7], windowMs: 10, expected: [5, 7, 9] },
    { name: 'slides forward', input: [0, 5, 12], windowMs: 10, expected: [5, 12] },
    { name: 'inclusive boundary', input: [0, 10], windowMs: 10, expected: [0, 10] },
    { name: 'too-old arrival is refused', input: [20, 5], windowMs: 10, expected: [20] },
    { name: 'equal timestamps keep arrival order', input: [3, 3, 3], windowMs: 10, expected: [3, 3, 3] },
  ])('$name', ({ input, windowMs, expected }) => {
    const window = new GroupWindow<unknown>('k');
    input.forEach((ts, i) => window.insert(event(ts, i), windowMs));
    expect(times(window)).toEqual(expected);
  });

  it('matches a sorted-list model under any arrival order (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: 0, max: 200 }), { maxLength: 120 }),
        (windowMs, stamps) => {
          const window = new GroupWindow<unknown>('k');
          let model: number[] = [];
          stamps.forEach((ts, i) => {
            const accepted = window.insert(event(ts, i), windowMs);
            const newest = model.length === 0 ? ts : Math.max(...model);
            const expectAccepted = model.length === 0 || ts >= newest - windowMs;
            expect(accepted).toBe(expectAccepted);
            if (expectAccepted) {
              model.push(ts);
              model.sort((a, b) => a - b);
              const cutoff = model[model.length - 1]! - windowMs;
              model = model.filter((t) => t >= cutoff);
            }
            expect(times(window)).toEqual(model);
            expect(window.size).toBe(model.length);
          });
        },
      ),
    );
  });

  it('take empties the window and returns its events oldest first', () => {
    const window = new GroupWindow<unknown>('k');
    [3, 1, 2].forEach((ts) => window.insert(event(ts), 10));
    expect(window.take().map((e) => e.timestamp)).toEqual([1, 2, 3]);
    expect(window.size).toBe(0);
    window.insert(event(100), 10);
    expect(times(window)).toEqual([100]);
  });

  it('dropLinked removes events another incident took', () => {
    const window = new GroupWindow<unknown>('k');
    const events = [1, 2, 3, 4].map((ts) => event(ts));
    events.forEach((e) => window.insert(e, 10));
    events[1]!.incident_id = 'inc_00001';
    expect(window.dropLinked()).toBe(1);
    expect(times(window)).toEqual([1, 3, 4]);
  });

  it('trimTo keeps distinct sources and drops the oldest duplicates first', () => {
    const window = new GroupWindow<unknown>('k');
    ['a', 'a', 'b', 'a', 'c', 'a'].forEach((source, i) => window.insert(event(i, i, source), 100));
    window.trimTo(4);
    expect(window.toArray().map((e) => e.source)).toEqual(['b', 'a', 'c', 'a']);
    expect(window.distinctSources()).toBe(3);
  });
});

describe('GroupTable', () => {
  it('evicts the least recently updated group when full', () => {
    // prepare
    const table = new GroupTable<unknown>(3);
    const a = table.create('a');
    table.create('b');
    table.create('c');

    // act
    table.touch(a);
    table.create('d');

    // verify
    expect(table.get('b')).toBeUndefined();
    expect(table.keysByAge()).toEqual(['c', 'a', 'd']);
    expect([table.size, table.evictions]).toEqual([3, 1]);
  });

  it('matches an exact LRU model and stays bounded (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'), { maxLength: 300 }),
        (max, keys) => {
          const table = new GroupTable<unknown>(max);
          let model: string[] = []; // least recently updated first
          for (const key of keys) {
            const group = table.get(key);
            if (group === undefined) {
              table.create(key);
              if (model.length >= max) model = model.slice(1);
            } else {
              table.touch(group);
              model = model.filter((k) => k !== key);
            }
            model.push(key);
            expect(table.keysByAge()).toEqual(model);
            expect(table.size).toBeLessThanOrEqual(max);
          }
        },
      ),
    );
  });
});
