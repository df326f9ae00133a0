// Retried exports count once: a draft that repeats an event of an earlier export (event-identity.ts) is dropped.

import { describe, expect, it } from 'vitest';
import { MINUTE, SECOND, T0, burst, draft, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import { RETRY_MIN_DELAY_MS, sameIdentity } from './event-identity.js';
import type { EventDraft, IncidentEvent } from './types.js';

const spanEvents = (count: number, first = 0): EventDraft[] =>
  burst(count, T0, SECOND, { event_type: 'api_error', source: 'checkout' }, first).map((d, i) => ({ ...d, span_id: (first + i + 1).toString(16).padStart(16, '0') }));

describe('retried exports', () => {
  it('drops the repeat of an earlier export: 6 failures sent twice do not make 10', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const batch = spanEvents(6);

    // act
    const first = engine.ingest(batch);
    const again = engine.ingest(batch.map((d) => ({ ...d })));

    // verify
    expect(first.events).toHaveLength(6);
    expect(again.events).toEqual([]);
    expect(again.duplicates).toBe(6);
    expect(engine.openIncidents()).toEqual([]);
    expect(engine.sizes().duplicatesDropped).toBe(6);
    expect(engine.counters().nextEventSeq).toBe(7); // repeats take no number
  });

  it('counts an incident once when every export is sent twice', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const batches = [spanEvents(5, 0), spanEvents(5, 5), spanEvents(2, 10)];

    // act
    for (const batch of batches) {
      engine.ingest(batch);
      engine.ingest(batch);
    }

    // verify
    const [incident] = engine.openIncidents();
    expect(incident).toMatchObject({ incident_type: 'error_burst', event_count: 12 });
    expect(engine.sizes().duplicatesDropped).toBe(12);
  });

  it('recognises repeats mixed into a re-batched export, and takes its new events', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const all = spanEvents(12);

    // act
    engine.ingest(all.slice(0, 8));
    const rebatched = engine.ingest(all.slice(4));

    // verify
    expect(rebatched.duplicates).toBe(4);
    expect(rebatched.events.map((e) => e.span_id)).toEqual(all.slice(8).map((d) => d.span_id));
    expect(engine.openIncidents()[0]!.event_count).toBe(12);
  });

  it('takes alike events within one batch as sent: a retry is another request', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const alike = Array.from({ length: 10 }, () => draft({ source: 'ledger', message: 'posting failed: deadlock' }));

    // act
    const result = engine.ingest(alike);

    // verify
    expect(result.events).toHaveLength(10);
    expect(result.duplicates).toBeUndefined();
  });

  it('keeps identical log records arriving together: the same error logged twice in a millisecond, one export each', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const logged = () => draft({ source: 'ledger', message: 'posting failed: deadlock' });

    // act: a simple log processor exports every record on its own
    const results = Array.from({ length: 10 }, () => engine.ingest([logged()], { repeatsMayBeDistinct: true }));

    // verify
    expect(results.map((r) => r.events.length)).toEqual(Array(10).fill(1));
    expect(engine.openIncidents()[0]!.event_count).toBe(10);
  });

  it('takes a log record’s repeat for a retry once a retry’s delay has passed since its first copy', () => {
    // prepare
    const { engine, clock } = testEngine();
    const logs = Array.from({ length: 6 }, (_, i) => draft({ source: 'ledger', message: `posting ${i} failed`, timestamp: T0 + i * SECOND }));
    engine.ingest(logs, { repeatsMayBeDistinct: true });

    // act
    clock.now += RETRY_MIN_DELAY_MS - 1;
    const tooSoon = engine.ingest([logs[0]!], { repeatsMayBeDistinct: true });
    clock.now += 1;
    const retried = engine.ingest(logs, { repeatsMayBeDistinct: true });

    // verify: 6 + the one that came too soon to be a retry; the export retried after the delay adds nothing
    expect(tooSoon.events).toHaveLength(1);
    expect(retried.duplicates).toBe(6);
    expect(engine.openIncidents()).toEqual([]);
  });

  it('tells apart events that differ in any identity field', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE });
    const base = draft({ correlation_id: traceId(1), span_id: '00000000000000aa' });
    engine.ingest([base]);
    const variants: EventDraft[] = [
      { ...base, timestamp: base.timestamp + 0.001 },
      { ...base, span_id: '00000000000000ab' },
      { ...base, correlation_id: traceId(2) },
      { ...base, event_type: 'api_error' },
      { ...base, source: 'billing' },
      { ...base, severity: 'critical' },
      { ...base, message: `${base.message}!` },
    ];

    // act
    const result = engine.ingest(variants);

    // verify
    expect(result.events).toHaveLength(variants.length);
    expect(result.duplicates).toBeUndefined();
  });

  it('recognises a repeat after a restart, from the stored events the ring is refilled with', () => {
    // prepare
    const first = testEngine({ clock: () => T0 + MINUTE });
    const batch = spanEvents(7);
    const stored: IncidentEvent[] = first.engine.ingest(batch).events;
    const { engine } = testEngine({ clock: () => T0 + 2 * MINUTE });
    engine.restore({ ...first.engine.counters(), openIncidents: [], recentEvents: stored });

    // act
    const again = engine.ingest(batch);

    // verify
    expect(again.duplicates).toBe(7);
    expect(engine.openIncidents()).toEqual([]);
  });

  it('forgets events that left the ring: memory stays bounded by the ring', () => {
    // prepare
    const { engine } = testEngine({ clock: () => T0 + MINUTE, eventRingCapacity: 4 });
    const batch = spanEvents(6);
    engine.ingest(batch);

    // act
    const recent = engine.ingest(batch.slice(4));
    const evicted = engine.ingest(batch.slice(0, 2));

    // verify: the last four were still in the ring, the first two had left it
    expect(recent.duplicates).toBe(2);
    expect(evicted.duplicates).toBeUndefined();
    expect(evicted.events).toHaveLength(2);
  });
});

describe('sameIdentity', () => {
  it('ignores what is not identity: number, arrival time, incident, metadata', () => {
    const event = (over: Partial<IncidentEvent>): IncidentEvent => ({
      ...draft({ correlation_id: traceId(3), span_id: '0000000000000001' }),
      event_id: 'evt_1',
      seq: 1,
      received_at: T0,
      incident_id: '',
      ...over,
    });
    expect(sameIdentity(event({}), event({ event_id: 'evt_9', seq: 9, received_at: T0 + 1, incident_id: 'inc_00001', metadata: { a: 1 } }))).toBe(true);
  });
});
