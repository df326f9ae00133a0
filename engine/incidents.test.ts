import fc from 'fast-check';
import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';

import { ChangeSet } from './change-set.js';
import {
  cloneIncident,
  countRecord,
  Distribution,
  IncidentBook,
  DEFAULT_INCIDENT_LIMITS,
  formatIncidentId,
  formatTitleTime,
  incidentTitle,
  parseIncidentSeq,
} from './incidents.js';
import { T0, customRule, testEngine, burst, SECOND, traceId } from '../test/helpers/engine-fixtures.js';
import type { IncidentEvent } from './types.js';
import type { IncidentState } from './incidents.js';

describe('incident ids and titles', () => {
  it.each([
    [1, 'inc_00001'],
    [123, 'inc_00123'],
    [99999, 'inc_99999'],
    [100000, 'inc_100000'],
  ])('formats %i as %s and parses it back', (seq, id) => {
    expect(formatIncidentId(seq)).toBe(id);
    expect(parseIncidentSeq(id)).toBe(seq);
  });

  it.each(['INC_1', 'inc_', 'inc_1a', 'evt_1'])('does not parse %s', (id) => {
    expect(parseIncidentSeq(id)).toBeUndefined();
  });

  it('titles like the seed, in UTC', () => {
    expect(formatTitleTime(T0)).toBe('2025-02-05 10:30');
    expect(incidentTitle('error_burst', 'checkout', T0)).toBe('Error Burst - checkout - 2025-02-05 10:30');
    expect(incidentTitle('service_down', '', T0)).toBe('Service Down - 2025-02-05 10:30');
    expect(incidentTitle('error_burst', 'x'.repeat(150), T0)).toBe(`Error Burst - ${'x'.repeat(100)}… - 2025-02-05 10:30`);
  });

  it('formats the title time as the Date formula does, whatever times come in whatever order (property)', () => {
    // formatTitleTime keeps the last minute it formatted: times within, across and back to minutes, before 1970 too
    const nearby = fc.integer({ min: -3 * 60_000, max: 3 * 60_000 }).map((delta) => T0 + delta);
    const anywhere = fc.integer({ min: -8.64e15, max: 8.64e15 });
    fc.assert(
      fc.property(fc.array(fc.oneof(nearby, anywhere), { maxLength: 40 }), (times) => {
        for (const ms of times) expect(formatTitleTime(ms)).toBe(new Date(ms).toISOString().slice(0, 16).replace('T', ' '));
      }),
    );
  });
});

describe('Distribution', () => {
  it('counts into records that are plain empty objects: no keys, the usual prototype, keys in the order set', () => {
    const record = countRecord();
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(JSON.stringify(record)).toBe('{}');
    const distribution = new Distribution(record, 50, '');
    for (const key of ['payments', 'checkout', 'payments', '__proto__', 'api']) distribution.add(key);
    expect(Object.entries(record)).toEqual([['payments', 2], ['checkout', 1], ['__proto__', 1], ['api', 1]]);
    expect(JSON.stringify(distribution.toRecord())).toBe(JSON.stringify(record));
  });

  it('keeps count records in V8’s dictionary mode, snapshots’ and copies’ too (no hidden class per key name)', () => {
    setFlagsFromString('--allow-natives-syntax'); // for functions compiled from here on
    const fast = new Function('object', 'return %HasFastProperties(object)') as (object: object) => boolean;
    expect(fast({ a: 1 })).toBe(true); // the probe answers
    const record = countRecord();
    const distribution = new Distribution(record, 50, '');
    for (let n = 0; n < 20; n++) distribution.add(`service-${n}`);
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' })).incidents;
    const copy = cloneIncident(incident!); // as an incident taken back or loaded is copied
    expect([record, distribution.toRecord(), incident!.root_cause.source_distribution, copy.root_cause.source_distribution].map(fast)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it.each([
    { keys: ['a', 'b', 'b'], primary: 'b' },
    { keys: ['a', 'b'], primary: 'a' }, // tie: first seen
    { keys: ['a', 'b', 'b', 'a'], primary: 'a' }, // tie again after b led: first seen wins
    { keys: ['b', 'a', 'a', 'b', 'c', 'c', 'c'], primary: 'c' },
  ])('primary of $keys is $primary', ({ keys, primary }) => {
    const record: Record<string, number> = {};
    const distribution = new Distribution(record, 50, '');
    keys.forEach((key) => distribution.add(key));
    expect(distribution.primary).toBe(primary);
  });

  it('overflows into `other` beyond the cap and keeps `__proto__` a plain key', () => {
    const record: Record<string, number> = {};
    const distribution = new Distribution(record, 2, '');
    ['__proto__', 'x', 'y', 'z', '__proto__'].forEach((key) => distribution.add(key));
    expect(JSON.stringify(record)).toBe('{"__proto__":2,"x":1,"other":2}');
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(distribution.primary).toBe('__proto__');
  });

  it('copies its counts as the same record it writes through, key order included, whatever is added', () => {
    fc.assert(
      fc.property(
        // Restored records may hold what no counter made (nothing counted, not a number): the record drops it too.
        fc.dictionary(
          fc.constantFrom('a', 'b', '__proto__', 'other', 'c', '2', '10'),
          fc.oneof(fc.integer({ min: -2, max: 5 }), fc.constant('x' as unknown as number)),
          { maxKeys: 4 },
        ),
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', '__proto__', 'other', 'toString', '2', '10'), { maxLength: 40 }),
        fc.integer({ min: 1, max: 6 }),
        (restored, added, maxKeys) => {
          const record = { ...restored };
          const distribution = new Distribution(record, maxKeys, '');
          added.forEach((key) => distribution.add(key));
          const copy = distribution.toRecord();
          expect(JSON.stringify(copy)).toBe(JSON.stringify(record));
          expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
        },
      ),
    );
  });

  it('resumes from a restored record, keeping the current primary on ties', () => {
    const record: Record<string, number> = { a: 2, b: 2 };
    const distribution = new Distribution(record, 50, 'b');
    expect(distribution.primary).toBe('b');
    distribution.add('a');
    expect([distribution.primary, record['a']]).toEqual(['a', 3]);
  });
});

describe('IncidentBook', () => {
  it('shares one frozen copy of an incident’s trace IDs among its snapshots until it gains one', () => {
    const { engine } = testEngine();
    const [opened] = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' })).incidents;
    const first = opened!.trace_ids;
    expect(first).toHaveLength(10);
    // another event of a trace it has: the same list, shared, and no one can change it under the others
    const [again] = engine.ingest(burst(1, T0 + 11 * SECOND, SECOND, { source: 'checkout' }, 3)).incidents;
    expect(again!.trace_ids).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // a new trace: a new list; the earlier snapshot keeps what it had
    const [grown] = engine.ingest(burst(1, T0 + 12 * SECOND, SECOND, { source: 'checkout' }, 99)).incidents;
    expect(grown!.trace_ids).toEqual([...first, traceId(99)]);
    expect(first).toHaveLength(10);
  });

  function events(count: number): IncidentEvent[] {
    const { engine } = testEngine({ rules: [customRule({ error_threshold: 1000 })] });
    return engine.ingest(burst(count, T0, SECOND)).events;
  }

  it('creates from window events and absorbs later ones', () => {
    // prepare
    const book = new IncidentBook(DEFAULT_INCIDENT_LIMITS);
    const [first, second, third] = events(3);
    const changes = new ChangeSet<IncidentState>();

    // act
    const state = book.create(customRule(), 'checkout', [first!, second!], T0 + 10 * SECOND, changes);
    book.absorb(state, third!, T0 + 20 * SECOND, changes);

    // verify
    const result = changes.result([]);
    expect(result.incidents).toHaveLength(1);
    expect(result.incidents[0]).toMatchObject({
      incident_id: 'inc_00001',
      event_count: 3,
      first_event_at: T0,
      last_event_at: T0 + 2 * SECOND,
      detected_at: T0 + 10 * SECOND,
      mttd: 10,
      updated_at: T0 + 20 * SECOND,
    });
    expect(result.linked).toEqual([first, second, third]);
    expect(book.openFor('custom', 'checkout')).toBe(state);
  });

  it('load ignores incidents that are not open and raises the counter past restored ids', () => {
    const book = new IncidentBook(DEFAULT_INCIDENT_LIMITS);
    const changes = new ChangeSet<IncidentState>();
    const state = book.create(customRule(), 'checkout', events(1), T0, changes);
    const restored = { ...state.snapshot(), incident_id: 'inc_00041' };

    expect(book.load({ ...restored, status: 'closed' })).toBeUndefined();
    expect(book.nextSeq).toBe(42);
    expect(book.load(restored)).toBeDefined();
    expect(book.states().map((s) => s.incident.incident_id)).toEqual(['inc_00001', 'inc_00041']);
    expect(book.remove('inc_00041')).toBe(true);
    expect(book.openFor('custom', 'checkout')?.incident.incident_id).toBe('inc_00001');
  });

  it('finds the open incidents sharing a component as a scan of the book would, in the same order', () => {
    // prepare: components added after opening, an incident reloaded (last in the book's order then), one removed
    const book = new IncidentBook(DEFAULT_INCIDENT_LIMITS);
    const changes = new ChangeSet<IncidentState>();
    const from = (source: string) => events(1).map((event) => ({ ...event, source }));
    const a = book.create(customRule(), 'a', from('checkout'), T0, changes);
    const b = book.create(customRule(), 'b', from('payments'), T0, changes);
    const c = book.create(customRule(), 'c', from('search'), T0, changes);
    const d = book.create(customRule(), 'd', from('ledger'), T0, changes);
    book.absorb(b, from('checkout')[0]!, T0, changes);
    book.absorb(c, from('checkout')[0]!, T0, changes);
    book.load({ ...a.snapshot(), title: 'reloaded' });
    book.absorb(d, from('checkout')[0]!, T0, changes);
    book.remove(c.incident.incident_id);
    const opened = book.create(customRule(), 'e', [...from('payments'), ...from('checkout')], T0, changes);

    // act
    const sharing = book.sharingComponents(opened).map((state) => state.incident.incident_id);

    // verify
    const scan = book
      .states()
      .filter((state) => state !== opened && state.incident.affected_components.some((name) => opened.components.has(name)))
      .map((state) => state.incident.incident_id);
    expect(sharing).toEqual(scan);
    expect(sharing).toEqual([b.incident.incident_id, d.incident.incident_id, a.incident.incident_id]);
  });
});
