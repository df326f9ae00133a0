import fc from 'fast-check';
import { builtinRules } from './builtin-rules.js';
import { describe, expect, it } from 'vitest';

import {
  CASCADE_SERVICES,
  MINUTE,
  SECOND,
  T0,
  burst,
  cascadeTrace,
  customRule,
  draft,
  ingestExports,
  span,
  spanId,
  testEngine,
  traceId,
} from '../test/helpers/engine-fixtures.js';
import { PACKED_ID_WORDS, PackedSpanRecord } from './packed-span-record.js';
import type { CascadeService, ServiceExport } from '../test/helpers/engine-fixtures.js';
import { traceIdWords } from './trace-chains.js';
import type { IngestResult, SpanRecord } from './types.js';

const spanKey = (s: SpanRecord) => `${s.trace_id}/${s.span_id}`;

/** Splits `items` into consecutive chunks of the given sizes (the last chunk takes the rest). */
function chunk<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  const chunks: T[][] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= items.length) break;
    chunks.push(items.slice(at, at + size));
    at += size;
  }
  if (at < items.length) chunks.push(items.slice(at));
  return chunks;
}

function verifyOneCascadeIncident(results: readonly IngestResult[], traces: number) {
  const incidents = new Map(results.flatMap((r) => r.incidents).map((i) => [i.incident_id, i]));
  expect([...incidents.keys()]).toEqual(['inc_00001']);
  const incident = incidents.get('inc_00001')!;
  expect([...incident.affected_components].sort()).toEqual(['checkout', 'frontend', 'payments']);
  expect(incident.event_count).toBe(traces * 3);
  expect(incident.root_cause.root_span).toMatchObject({
    service: 'payments',
    span_name: 'POST /charge',
    status_message: 'card processor timed out',
    exception_type: 'ProcessorTimeout',
  });
  expect(incident.root_cause.primary_source).toBe('payments');
  // Titled after where it started, whichever service's burst fired first.
  expect(incident.title.startsWith('Error Burst - payments - ')).toBe(true);
  expect(incident.users_affected).toBe(traces);
  // Every span of every trace persisted exactly once, and nothing else.
  const persisted = results.flatMap((r) => r.traceSpans ?? []).map(spanKey);
  expect(new Set(persisted).size).toBe(persisted.length);
  const expected = Array.from({ length: traces }, (_, n) =>
    CASCADE_SERVICES.flatMap((s) => cascadeTrace(n)[s].spans),
  ).flat();
  expect([...persisted].sort()).toEqual(expected.map(spanKey).sort());
}

describe('cascade: one failure through frontend → checkout → payments', () => {
  it('services exporting one after another, in any order and batching, make exactly one incident (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 24 }),
        fc.shuffledSubarray([...CASCADE_SERVICES], { minLength: 3, maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        (traces, order, batchSizes, shuffleTraces) => {
          // prepare: each service's exports for all traces, services one after another
          const { engine } = testEngine();
          const all = Array.from({ length: traces }, (_, n) => cascadeTrace(n));
          const exports: ServiceExport[] = order.flatMap((service) => {
            const own = all.map((t) => t[service as CascadeService]);
            return shuffleTraces ? own.reverse() : own;
          });

          // act
          const results = chunk(exports, batchSizes).map((batch) => ingestExports(engine, batch));

          // verify
          verifyOneCascadeIncident(results, traces);
          expect(engine.openIncidents()).toHaveLength(1);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('requests arriving trace by trace, services in any order per trace, make exactly one incident (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 24 }),
        fc.array(fc.shuffledSubarray([...CASCADE_SERVICES], { minLength: 3, maxLength: 3 }), {
          minLength: 24,
          maxLength: 24,
        }),
        fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 20 }),
        (traces, orders, batchSizes) => {
          const { engine } = testEngine();
          const exports = Array.from({ length: traces }, (_, n) => {
            const trace = cascadeTrace(n);
            return orders[n]!.map((service) => trace[service as CascadeService]);
          }).flat();
          const results = chunk(exports, batchSizes).map((batch) => ingestExports(engine, batch));
          verifyOneCascadeIncident(results, traces);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('one batch holding traces the incident has and traces it has not yet: order inside the batch does not matter', () => {
    // prepare: frontend fires on traces 0–9; checkout then exports traces 10–19 before 0–9, in one request
    const { engine } = testEngine();
    const all = Array.from({ length: 20 }, (_, n) => cascadeTrace(n));
    ingestExports(engine, all.slice(0, 10).map((t) => t.frontend));

    // act
    const result = ingestExports(engine, [...all.slice(10), ...all.slice(0, 10)].map((t) => t.checkout));

    // verify: all 20 checkout events joined the frontend incident
    expect(result.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 30]]);
    expect(engine.openIncidents()).toHaveLength(1);
  });

  it('two unrelated failures at the same time (no shared traces) are two incidents', () => {
    // prepare: checkout and inventory fail at once, interleaved in the same exports
    const { engine } = testEngine();
    const checkout = burst(12, T0, SECOND, { source: 'checkout' }, 0);
    const inventory = burst(12, T0, SECOND, { source: 'inventory' }, 500);
    const interleaved = checkout.flatMap((d, i) => [d, inventory[i]!]);

    // act
    const results = [engine.ingest(interleaved.slice(0, 9)), engine.ingest(interleaved.slice(9))];

    // verify
    const incidents = engine.openIncidents();
    expect(incidents.map((i) => [i.group_key, i.affected_components, i.event_count])).toEqual([
      ['checkout', ['checkout'], 12],
      ['inventory', ['inventory'], 12],
    ]);
    expect(results.flatMap((r) => r.traceSpans ?? [])).toEqual([]);
  });

  it('an event that shares a trace with an open incident joins it even from another rule and service', () => {
    // prepare: an error burst on checkout owns trace 3
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));

    // act: one slow request of the same trace at search (performance_degradation would need 10)
    const result = engine.ingest([
      draft({ source: 'search', event_type: 'slow_request', severity: 'medium', correlation_id: traceId(3) }),
      draft({ source: 'search', event_type: 'slow_request', severity: 'medium', correlation_id: traceId(99) }),
    ]);

    // verify
    expect(result.events.map((e) => e.incident_id)).toEqual(['inc_00001', '']);
    expect(result.incidents[0]).toMatchObject({ event_count: 11, affected_components: ['checkout', 'search'] });
    expect(engine.sizes().windowEvents).toBe(1); // the unrelated one waits in search's window
  });

  it('an event of an incident trace joins it even when its own batch pushed it out of the event ring', () => {
    // prepare: an error burst on checkout owns trace 3; an event ring of 4
    const { engine } = testEngine({ eventRingCapacity: 4 });
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));

    // act: the event of trace 3 comes first in a batch bigger than the ring
    const result = engine.ingest([
      draft({ source: 'search', event_type: 'slow_request', severity: 'medium', correlation_id: traceId(3) }),
      ...burst(5, T0, SECOND, { source: 'search', event_type: 'slow_request', severity: 'medium' }, 100),
    ]);

    // verify: it joined; the others (traces no incident has) did not
    expect(result.events.map((e) => e.incident_id)).toEqual(['inc_00001', '', '', '', '', '']);
  });

  it('severe events no rule counts (a FATAL log typed by its exception) join the incident of their trace', () => {
    // prepare: an api error burst owns traces 0–9; one WorkerCrash log arrived before it, sharing trace 0
    const { engine } = testEngine();
    const early = engine.ingest([draft({ source: 'ledger', event_type: 'WorkerCrash', severity: 'critical', correlation_id: traceId(0) })]);
    engine.ingest(burst(10, T0, SECOND, { source: 'api', event_type: 'api_error' }));

    // act
    const later = engine.ingest([
      draft({ source: 'ledger', event_type: 'WorkerCrash', severity: 'critical', correlation_id: traceId(1) }),
      draft({ source: 'ledger', event_type: 'WorkerCrash', severity: 'high', correlation_id: traceId(2) }),
      draft({ source: 'ledger', event_type: 'cache_miss', severity: 'medium', correlation_id: traceId(3) }), // not severe enough
    ]);

    // verify
    expect(early.events[0]!.incident_id).toBe('inc_00001'); // swept in when the incident got trace 0
    expect(later.events.map((e) => e.incident_id)).toEqual(['inc_00001', 'inc_00001', '']);
    const incident = engine.incident('inc_00001')!;
    expect(incident).toMatchObject({ affected_components: ['api', 'ledger'], event_count: 13 });
    expect(incident.root_cause.error_distribution).toEqual({ api_error: 10, WorkerCrash: 3 });
    expect(incident.group_aliases).toBeUndefined(); // no rule, no group to alias
  });

  it('uncountedJoinMinSeverity: null keeps correlation to events a rule counts', () => {
    // Without other_errors on error_burst, a WorkerCrash is counted by no rule.
    const rules = builtinRules().map((r) => ({ ...r, match: { ...r.match, other_errors: false } }));
    const { engine } = testEngine({ uncountedJoinMinSeverity: null, rules });
    engine.ingest(burst(10, T0, SECOND, { source: 'api' }));
    const result = engine.ingest([draft({ source: 'ledger', event_type: 'WorkerCrash', severity: 'critical', correlation_id: traceId(1) })]);
    expect(result.events[0]!.incident_id).toBe('');
    expect(() => testEngine({ uncountedJoinMinSeverity: 'loud' as never })).toThrow(/uncountedJoinMinSeverity must be one of/);
  });

  it('events nothing counts do not join, even with an incident trace', () => {
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND));
    const result = engine.ingest([draft({ event_type: 'span_ok', severity: 'info', correlation_id: traceId(1) })]);
    expect(result.events[0]!.incident_id).toBe('');
    expect(result.incidents).toEqual([]);
  });

  it('when an incident gains traces, events waiting in other windows with those traces join and leave the windows', () => {
    // prepare: payments has 9 errors waiting (traces 0–8); checkout has not failed yet
    const { engine } = testEngine();
    const waiting = engine.ingest(burst(9, T0, SECOND, { source: 'payments' }));
    expect(engine.sizes().windowEvents).toBe(9);

    // act: checkout fires on traces 0–9
    const fired = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));

    // verify
    expect(fired.incidents).toHaveLength(1);
    expect(fired.incidents[0]!.affected_components).toEqual(['checkout', 'payments']);
    expect(fired.incidents[0]!.event_count).toBe(19);
    expect(waiting.events.every((e) => e.incident_id === 'inc_00001')).toBe(true);
    expect(fired.linked.filter((e) => e.source === 'payments')).toHaveLength(9);
    expect(engine.sizes().windowEvents).toBe(0);
    // payments' group now belongs to the incident: a further payments error on a new trace joins it too
    const later = engine.ingest([draft({ source: 'payments', correlation_id: traceId(77) })]);
    expect(later.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 20]]);
    expect(later.incidents[0]!.trace_ids).toContain(traceId(77));
  });

  it('a window that fires with traces an open incident owns joins it instead of opening one', () => {
    // prepare: lookups see only the newest event of a trace, so payments' waiting events are not swept
    const { engine } = testEngine({ maxEventsPerTraceLookup: 1 });
    engine.ingest(burst(9, T0, SECOND, { source: 'payments' })); // traces 0–8, waiting
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' })); // owns traces 0–9; the sweep sees checkout's only

    // act: payments' tenth error completes its window
    const result = engine.ingest([draft({ source: 'payments', timestamp: T0 + 9 * SECOND, correlation_id: traceId(50) })]);

    // verify
    expect(result.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([['inc_00001', 20]]);
    expect(engine.openIncidents()).toHaveLength(1);
  });

  it('a group is aliased to the incident once half its threshold of events joined through traces', () => {
    // prepare
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));

    // act: 4 payments errors share traces (below ceil(10 / 2)), then one on a trace of its own, then a fifth shared
    engine.ingest(burst(4, T0, SECOND, { source: 'payments' }));
    const own = engine.ingest([draft({ source: 'payments', correlation_id: traceId(500) })]);
    engine.ingest([draft({ source: 'payments', correlation_id: traceId(4) })]);
    const after = engine.ingest([draft({ source: 'payments', correlation_id: traceId(501) })]);

    // verify
    expect(own.events[0]!.incident_id).toBe('');
    expect(after.events[0]!.incident_id).toBe('inc_00001');
    expect(engine.incident('inc_00001')!.group_aliases).toEqual(['error_burst payments']);
  });

  it('a trickle of shared traces over hours never aliases a group', () => {
    // prepare: a long-lived checkout incident; payments shares one trace with it every 10 minutes of event time
    const { engine, clock } = testEngine();
    clock.now = T0 + 3 * 60 * MINUTE;
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));
    for (let i = 0; i < 10; i++) {
      engine.ingest([draft({ source: 'payments', timestamp: T0 + i * 10 * MINUTE, correlation_id: traceId(i) })]);
    }

    // act: a payments error on a trace of its own
    const own = engine.ingest([draft({ source: 'payments', timestamp: T0 + 100 * MINUTE, correlation_id: traceId(900) })]);

    // verify: the ten shared ones joined, the group was never aliased
    expect(engine.incident('inc_00001')!.event_count).toBe(20);
    expect(engine.incident('inc_00001')!.group_aliases).toBeUndefined();
    expect(own.events[0]!.incident_id).toBe('');
  });

  it('aliases end with the incident: after it resolves, the other group counts on its own again', () => {
    const { engine } = testEngine();
    engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));
    engine.ingest(burst(5, T0, SECOND, { source: 'payments' })); // joins, aliases payments
    const incident = engine.incident('inc_00001')!;
    expect(incident.group_aliases).toEqual(['error_burst payments']);

    engine.updateIncident({ ...incident, status: 'resolved', resolved_at: T0 + 60 * SECOND });
    const after = engine.ingest(burst(10, T0 + 30 * SECOND, SECOND, { source: 'payments' }, 300));
    expect(after.incidents.map((i) => [i.incident_id, i.group_key, i.event_count])).toEqual([['inc_00002', 'payments', 10]]);
  });

  it('restore rebuilds incident traces and aliases from the open incidents', () => {
    // prepare
    const { engine } = testEngine();
    const opened = engine.ingest(burst(10, T0, SECOND, { source: 'checkout' }));
    const joined = engine.ingest(burst(5, T0, SECOND, { source: 'payments' }));
    const { engine: restarted } = testEngine();
    restarted.restore({
      ...engine.counters(),
      openIncidents: joined.incidents,
      recentEvents: [...opened.events, ...joined.events],
    });

    // act
    const byTrace = restarted.ingest(
      [draft({ source: 'frontend', correlation_id: traceId(5) })],
      { spans: [span({ trace_id: traceId(5), span_id: spanId(500), service: 'frontend' })] },
    );
    const byAlias = restarted.ingest([draft({ source: 'payments', correlation_id: traceId(88) })]);

    // verify
    expect(byTrace.incidents.map((i) => i.event_count)).toEqual([16]);
    expect(byTrace.traceSpans!.map((s) => s.span_id)).toEqual([spanId(500)]);
    expect(byAlias.incidents.map((i) => i.event_count)).toEqual([17]);
  });
});

describe('traceSpans: spans of incident traces, persisted exactly once', () => {
  it('a trace joining an incident brings its ring spans; later spans come as they arrive; others never', () => {
    // prepare: spans of traces 0–9 and of an unrelated trace arrive before any event
    const { engine } = testEngine();
    const early = Array.from({ length: 10 }, (_, n) => span({ trace_id: traceId(n), span_id: spanId(n) }));
    const unrelated = span({ trace_id: traceId(999), span_id: spanId(999) });
    const first = engine.ingest([], { spans: [...early, unrelated] });

    // act
    const fired = engine.ingest(burst(10, T0, SECOND));
    const late = span({ trace_id: traceId(3), span_id: spanId(1003) });
    const after = engine.ingest([], { spans: [late, span({ trace_id: traceId(998), span_id: spanId(998) })] });
    const again = engine.ingest([draft({ correlation_id: traceId(3) })]);

    // verify
    expect(first.traceSpans).toEqual([]);
    expect(fired.traceSpans!.map(spanKey).sort()).toEqual(early.map(spanKey).sort());
    expect(after.traceSpans).toEqual([late]);
    expect(again.traceSpans).toEqual([]); // trace 3 was already the incident's
  });

  it('persists the spans of the traces the incident lists; a flood’s later traces join and count users, unpersisted', () => {
    // prepare: an incident that lists at most 12 traces; spans of traces 0–19 in the ring, failing with a user each
    const { engine } = testEngine({ maxTraceIdsPerIncident: 12 });
    const spans = Array.from({ length: 20 }, (_, n) => span({ trace_id: traceId(n), span_id: spanId(n), failed: true, user: `u-${n}` }));
    engine.ingest([], { spans });

    // act: ten errors open it (traces 0–9), ten more join (traces 10–19), then late spans of traces 11 and 12 arrive
    const opened = engine.ingest(burst(10, T0, SECOND));
    const joined = engine.ingest(burst(10, T0 + 10 * SECOND, SECOND, {}, 10));
    const late = engine.ingest([], {
      spans: [span({ trace_id: traceId(11), span_id: spanId(111) }), span({ trace_id: traceId(12), span_id: spanId(112) })],
    });

    // verify: spans of the twelve listed traces only, every failing span's user counted
    const incident = joined.incidents[0]!;
    expect(incident.trace_ids).toEqual(Array.from({ length: 12 }, (_, n) => traceId(n)));
    expect(incident.event_count).toBe(20);
    expect(incident.users_affected).toBe(20);
    expect([...opened.traceSpans!, ...joined.traceSpans!].map(spanKey).sort()).toEqual(spans.slice(0, 12).map(spanKey).sort());
    expect(late.traceSpans!.map((s) => s.span_id)).toEqual([spanId(111)]);
  });

  it('persists a trace’s spans when a later incident lists it, though an earlier one had it unlisted', () => {
    // prepare: incident A lists traces 0–11 and has 12–19 unlisted; then it is resolved
    const { engine } = testEngine({ maxTraceIdsPerIncident: 12 });
    const spans = Array.from({ length: 22 }, (_, n) => span({ trace_id: traceId(n), span_id: spanId(n) }));
    engine.ingest([], { spans });
    engine.ingest(burst(10, T0, SECOND));
    const [a] = engine.ingest(burst(10, T0 + 10 * SECOND, SECOND, {}, 10)).incidents;
    engine.updateIncident({ ...a!, status: 'resolved', resolved_at: T0 + 30 * SECOND });

    // act: a late span of unlisted trace 15 arrives; then a new burst of traces 12–21 opens incident B
    const late = engine.ingest([], { spans: [span({ trace_id: traceId(15), span_id: spanId(115) })] });
    const b = engine.ingest(burst(10, T0 + 20 * MINUTE, SECOND, {}, 12));

    // verify: nothing for the trace no one listed; B lists 12–21 and has their ring spans persisted, the late one too
    expect(late.traceSpans).toEqual([]);
    expect(b.incidents.map((i) => [i.incident_id, i.trace_ids.length])).toEqual([['inc_00002', 10]]);
    const expected = [...spans.slice(12, 22), span({ trace_id: traceId(15), span_id: spanId(115) })];
    expect(b.traceSpans!.map(spanKey).sort()).toEqual(expected.map(spanKey).sort());
  });

  it('spans arriving in the same request as the events that open the incident are persisted once', () => {
    const { engine } = testEngine();
    const spans = Array.from({ length: 10 }, (_, n) => span({ trace_id: traceId(n), span_id: spanId(n), failed: true }));
    const result = engine.ingest(burst(10, T0, SECOND), { spans: [...spans, ...spans.slice(0, 2)] });
    // the same span sent twice in one request is two ring entries: both persisted once each, none more
    expect(result.traceSpans).toHaveLength(12);
    expect(new Set(result.traceSpans).size).toBe(12);
  });

  it('late spans of a trace whose incident was resolved are still persisted (until the trace ages out)', () => {
    const { engine } = testEngine({ maxIncidentTraces: 5 });
    const [incident] = engine.ingest(burst(10, T0, SECOND)).incidents;
    engine.updateIncident({ ...incident!, status: 'resolved', resolved_at: T0 });
    const result = engine.ingest([], {
      spans: [span({ trace_id: traceId(9), span_id: spanId(9) }), span({ trace_id: traceId(0), span_id: spanId(10) })],
    });
    // only the 5 newest incident traces are remembered (traces 5–9)
    expect(result.traceSpans!.map((s) => s.trace_id)).toEqual([traceId(9)]);
    expect(engine.sizes().incidentTraces).toBe(5);
  });
});

describe('bounded work', () => {
  it('looks at no more than maxEventsPerTraceLookup events of a trace', () => {
    // prepare: 20 payments errors of one trace wait in a window (threshold 25)
    const { engine } = testEngine({ rules: [customRule({ error_threshold: 25 })], maxEventsPerTraceLookup: 4 });
    engine.ingest(burst(20, T0, SECOND, { source: 'payments', correlation_id: traceId(1) }));

    // act: checkout fires with traces 1–25
    engine.ingest(burst(25, T0, SECOND, { source: 'checkout' }, 1));

    // verify: of trace 1's 4 newest events, checkout's own is linked already; the 3 payments ones join
    expect(engine.openIncidents()[0]!.event_count).toBe(28);
  });
});

describe('spans with ID words (PackedSpanRecord, what the receiver hands the engine)', () => {
  /** `record` as the receiver would pass it: IDs as words, text only on demand. */
  function packed(record: SpanRecord): PackedSpanRecord {
    const words = new Uint32Array(PACKED_ID_WORDS);
    const id = new Uint32Array(4);
    traceIdWords(record.trace_id, id);
    words.set(id, 0);
    traceIdWords(record.span_id + (record.parent_span_id || spanId(0)), id);
    words.set(id, 4);
    const r = record;
    return new PackedSpanRecord(words, 0, r.parent_span_id !== '', r.service, r.name, r.kind, r.start_ms, r.end_ms, r.status_code,
      r.status_message, r.exception_type, r.exception_message, r.http_status, r.peer, r.failed, r.user, -1, 0, 0);
  }

  it('persists those of incident traces as plain records, also after the incident-trace set evicted (filter rebuilt)', () => {
    // prepare
    const { engine } = testEngine({ maxIncidentTraces: 5 });
    engine.ingest(burst(10, T0, SECOND)); // traces 0–9 join the incident; only 5–9 are remembered
    const late = span({ trace_id: traceId(9), span_id: spanId(9), parent_span_id: spanId(1) });

    // act
    const result = engine.ingest([], {
      spans: [packed(late), packed(span({ trace_id: traceId(0), span_id: spanId(10) })), packed(span({ trace_id: traceId(99) }))],
    });

    // verify
    expect(result.traceSpans).toEqual([late]);
    expect(result.traceSpans![0]).not.toBeInstanceOf(PackedSpanRecord);
    expect(engine.spansForTrace(traceId(0)).map((s) => s.span_id)).toEqual([spanId(10)]);
  });
});
