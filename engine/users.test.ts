import { describe, expect, it } from 'vitest';

import { incidentToJson } from '../daemon/api-json.js';
import { SECOND, T0, burst, draft, span, spanId, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import { DistinctCounter, eventUser, hashId } from './users.js';

function counterOf(n: number, prefix = 'user-', limit?: number): DistinctCounter {
  const counter = new DistinctCounter(limit);
  for (let i = 0; i < n; i++) counter.add(`${prefix}${i}`);
  return counter;
}

describe('DistinctCounter', () => {
  it('is exact up to 1,000 distinct ids and ignores repeats and empty ids', () => {
    const counter = counterOf(1000);
    for (let i = 0; i < 1000; i++) counter.add(`user-${i}`);
    counter.add('');
    expect(counter.count).toBe(1000);
    expect(counter.exactMode).toBe(true);
  });

  it.each([1001, 2000, 10_000, 100_000])('estimates %i distinct ids within ±7%% (3σ of 2.3%%)', (n) => {
    const counter = counterOf(n, `set-${n}-`);
    expect(counter.exactMode).toBe(false);
    expect(Math.abs(counter.count - n) / n).toBeLessThan(0.07);
  });

  it('is typically within ±2.3% (1σ) on average over many sets', () => {
    let sumSquares = 0;
    const sets = 40;
    for (let s = 0; s < sets; s++) {
      const counter = counterOf(5000, `s${s}-`);
      sumSquares += ((counter.count - 5000) / 5000) ** 2;
    }
    expect(Math.sqrt(sumSquares / sets)).toBeLessThan(0.035);
  });

  it('round-trips through its text in both modes, and counts on after decoding', () => {
    const exact = counterOf(300);
    const sketch = counterOf(3000);
    const exactText = exact.encode();
    const sketchText = sketch.encode();
    expect(exactText.startsWith('x:')).toBe(true);
    expect(sketchText.startsWith('h:')).toBe(true);
    expect(sketchText.length).toBeLessThan(2800);

    const exactBack = DistinctCounter.decode(exactText);
    const sketchBack = DistinctCounter.decode(sketchText);
    expect(exactBack.count).toBe(300);
    expect(sketchBack.count).toBe(sketch.count);
    exactBack.add('user-0');
    exactBack.add('someone new');
    expect(exactBack.count).toBe(301);
    for (let i = 0; i < 1000; i++) exactBack.add(`more-${i}`);
    expect(exactBack.exactMode).toBe(false);
    expect(Math.abs(exactBack.count - 1301) / 1301).toBeLessThan(0.07);
  });

  it('decodes nothing, or garbage, as an empty counter', () => {
    expect(DistinctCounter.decode(undefined).count).toBe(0);
    expect(DistinctCounter.decode('').encode()).toBe('');
    expect(DistinctCounter.decode('h:AAAA').count).toBe(0);
    expect(DistinctCounter.decode('nonsense').count).toBe(0);
  });

  it('hashes to 32-bit integers that differ for near-identical ids', () => {
    expect(Number.isInteger(hashId('a'))).toBe(true);
    expect(hashId('user-1')).not.toBe(hashId('user-2'));
    expect(hashId('')).toBe(hashId(''));
  });
});

describe('eventUser', () => {
  it.each([
    [{ 'enduser.id': 'ana', 'user.id': 'u1', 'session.id': 's1' }, 'ana'],
    [{ 'user.id': 'u1', 'session.id': 's1' }, 'u1'],
    [{ 'session.id': 's1' }, 's1'],
    [{ 'user.id': 42 }, '42'],
    [{ 'user.id': true }, ''],
    [{}, ''],
  ])('%o → %s', (metadata, user) => {
    expect(eventUser(metadata)).toBe(user);
  });
});

describe('users_affected', () => {
  it('counts distinct users of the incident’s events and of its traces’ failing spans', () => {
    // prepare
    const { engine } = testEngine();
    const events = burst(10, T0, SECOND).map((d, i) => ({ ...d, metadata: { 'enduser.id': `u${i % 4}` } }));
    const spans = [
      span({ trace_id: traceId(0), span_id: spanId(1), failed: true, user: 'u0' }), // already counted
      span({ trace_id: traceId(1), span_id: spanId(2), failed: true, user: 'span-user' }),
      span({ trace_id: traceId(2), span_id: spanId(3), failed: false, user: 'fine-user' }), // did not fail
      span({ trace_id: traceId(77), span_id: spanId(4), failed: true, user: 'elsewhere' }), // not its trace
    ];

    // act
    const result = engine.ingest(events, { spans });
    const later = engine.ingest([], { spans: [span({ trace_id: traceId(3), span_id: spanId(5), failed: true, user: 'late' })] });

    // verify
    expect(result.incidents[0]!.users_affected).toBe(5);
    expect(later.incidents.map((i) => i.users_affected)).toEqual([6]);
  });

  it('survives a restart through users_sketch, which JSON leaves out', () => {
    const { engine } = testEngine({ maxExactUsers: 10 });
    const events = Array.from({ length: 50 }, (_, i) =>
      draft({ timestamp: T0 + i, correlation_id: traceId(i), metadata: { 'user.id': `u${i}` } }),
    );
    const [incident] = engine.ingest(events).incidents;
    expect(incident!.users_sketch?.startsWith('h:')).toBe(true);
    expect(Math.abs(incident!.users_affected - 50)).toBeLessThanOrEqual(3);

    const { engine: restarted } = testEngine({ maxExactUsers: 10 });
    restarted.restore({ ...engine.counters(), openIncidents: [incident!], recentEvents: [] });
    const [after] = restarted.ingest([draft({ metadata: { 'user.id': 'u0' } })]).incidents;
    expect(after!.users_affected).toBe(incident!.users_affected);

    const json = incidentToJson(after!);
    expect(json.users_affected).toBe(after!.users_affected);
    expect(json).not.toHaveProperty('users_sketch');
    expect(json).not.toHaveProperty('group_aliases');
  });

  it('an incident stored before users_affected existed reads as 0 and counts from there', () => {
    const { engine } = testEngine();
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    const old = { ...incident! } as Partial<typeof incident>;
    delete old!.users_affected;
    delete old!.similar_incidents;
    const { engine: restarted } = testEngine();
    restarted.restore({ ...engine.counters(), openIncidents: [old as typeof incident & object], recentEvents: [] });
    expect(restarted.openIncidents()[0]).toMatchObject({ users_affected: 0, similar_incidents: [] });
    expect(incidentToJson(old as typeof incident & object)).toMatchObject({ users_affected: 0, similar_incidents: [] });
  });
});
