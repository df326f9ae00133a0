import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Incident, IncidentEvent, SpanRecord } from '../engine/types.js';
import { open } from 'lmdb';
import { openStore, type LmdbStore } from './lmdb-store.js';

function event(seq: number, overrides: Partial<IncidentEvent> = {}): IncidentEvent {
  return {
    seq,
    event_id: `evt_${seq}`,
    timestamp: 1_000_000 + seq,
    received_at: 2_000_000 + seq,
    event_type: 'api_error',
    source: 'checkout',
    severity: 'high',
    message: `failure ${seq}`,
    metadata: { status_code: 500 },
    correlation_id: seq.toString(16).padStart(32, '0'),
    span_id: seq.toString(16).padStart(16, '0'),
    incident_id: '',
    ...overrides,
  };
}

function incident(n: number, overrides: Partial<Incident> = {}): Incident {
  const id = `inc_${String(n).padStart(5, '0')}`;
  return {
    incident_id: id,
    incident_type: 'error_burst',
    severity: 'high',
    status: 'detected',
    title: `Error Burst ${n}`,
    description: 'Detect sudden bursts of errors',
    rule_id: 'error_burst',
    group_key: 'checkout',
    detected_at: 3_000_000 + n,
    first_event_at: 1_000_000,
    last_event_at: 1_000_010,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: ['checkout'],
    event_count: 10,
    assigned_to: null,
    mttd: 2,
    mttr: null,
    root_cause: { primary_error_type: 'api_error', primary_source: 'checkout', error_distribution: { api_error: 10 }, source_distribution: { checkout: 10 } },
    trace_ids: [],
    notes: [],
    actions: [],
    updated_at: 3_000_000 + n,
    ...overrides,
  };
}

function span(traceId: string, spanId: string, overrides: Partial<SpanRecord> = {}): SpanRecord {
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: '2'.repeat(16),
    service: 'checkout',
    name: 'POST /pay',
    kind: 2,
    start_ms: 1_000_000.25,
    end_ms: 1_000_012.5,
    status_code: 2,
    status_message: 'upstream timeout',
    exception_type: 'TimeoutError',
    exception_message: 'timed out after 10 s',
    http_status: 504,
    peer: 'payments',
    failed: true,
    user: 'u-17',
    ...overrides,
  };
}

/** A span with its attribute bytes as a plain array: LMDB reads binary back as a Buffer. */
function plain(record: SpanRecord): SpanRecord & { attributes_wire?: unknown } {
  return record.attributes_wire === undefined ? record : { ...record, attributes_wire: [...record.attributes_wire] as unknown as Uint8Array };
}

describe('LmdbStore', () => {
  let directory: string;
  let store: LmdbStore;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-store-'));
    store = openStore(directory);
  });
  afterEach(async () => {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('commits events, links, incidents and counters together, and reads them back after reopening', async () => {
    // prepare
    const events = [1, 2, 3].map((seq) => event(seq));
    const linked = events.slice(0, 2).map((e) => ({ ...e, incident_id: 'inc_00001' }));
    // act
    await store.commit({ events, linked, incidents: [incident(1)] }, { nextEventSeq: 4, nextIncidentSeq: 2 });
    await store.close();
    store = openStore(directory);
    // verify
    expect(store.counters()).toEqual({ nextEventSeq: 4, nextIncidentSeq: 2 });
    expect(store.getIncident('inc_00001')).toEqual(incident(1));
    expect(store.timeline('inc_00001').map((e) => [e.event_id, e.incident_id])).toEqual([
      ['evt_1', 'inc_00001'],
      ['evt_2', 'inc_00001'],
    ]);
    expect(store.eventCount()).toBe(3);
  });

  it('loads open incidents and the events that arrived since a cut-off, oldest first', async () => {
    await store.commit(
      { events: [1, 2, 3, 4].map((seq) => event(seq)), linked: [], incidents: [incident(1), incident(2, { status: 'resolved' })] },
      { nextEventSeq: 5, nextIncidentSeq: 3 },
    );
    const state = store.loadState(2_000_003);
    expect(state.openIncidents.map((i) => i.incident_id)).toEqual(['inc_00001']);
    expect(state.recentEvents.map((e) => e.seq)).toEqual([3, 4]);
    expect(state.counters).toEqual({ nextEventSeq: 5, nextIncidentSeq: 3 });
  });

  it('lists newest first with filters, numeric id order and a limit', async () => {
    await store.commit(
      {
        events: [],
        linked: [],
        incidents: [
          incident(9),
          incident(10, { severity: 'critical', affected_components: ['db'] }),
          incident(100000, { status: 'resolved' }),
        ],
      },
      { nextEventSeq: 1, nextIncidentSeq: 100001 },
    );
    expect(store.listIncidents().incidents.map((i) => i.incident_id)).toEqual(['inc_100000', 'inc_00010', 'inc_00009']);
    expect(store.listIncidents({ statuses: ['active'] }).incidents.map((i) => i.incident_id)).toEqual(['inc_00010', 'inc_00009']);
    expect(store.listIncidents({ severities: ['critical'] }).incidents.map((i) => i.incident_id)).toEqual(['inc_00010']);
    expect(store.listIncidents({ components: ['db'] }).incidents.map((i) => i.incident_id)).toEqual(['inc_00010']);
    expect(store.listIncidents({ sinceMs: 3_000_010 }).incidents.map((i) => i.incident_id)).toEqual(['inc_100000', 'inc_00010']);
    expect(store.listIncidents({ limit: 1 })).toMatchObject({ totalMatched: 3 });
    expect(store.listIncidents({ limit: 1 }).incidents).toHaveLength(1);
  });

  it('keeps every field of an incident trace’s spans, and reads spans and events a store wrote before records', async () => {
    const full = span('a'.repeat(32), '1'.repeat(16), { attributes_wire: new Uint8Array([10, 1, 97, 18, 3, 10, 1, 98]), attributes_sent: 3 });
    const root = span('a'.repeat(32), '2'.repeat(16), { parent_span_id: '', failed: false, status_code: 0, http_status: 0 });
    await store.commit({ events: [event(1)], linked: [], incidents: [], traceSpans: [full, root] }, { nextEventSeq: 2, nextIncidentSeq: 1 });
    await store.close();
    // Values as a store wrote them before shared structures: plain msgpack maps, the span IDs inside the value.
    const older = span('b'.repeat(32), '3'.repeat(16));
    const raw = open({ path: directory, maxDbs: 16 });
    await raw.openDB({ name: 'trace_spans' }).put([older.trace_id, older.span_id], older);
    await raw.openDB({ name: 'events' }).put(2, event(2));
    await raw.close();

    store = openStore(directory);
    expect(store.spansForTrace('a'.repeat(32)).map(plain)).toEqual([full, root].map(plain));
    expect(store.spansForTrace('b'.repeat(32)).map(plain)).toEqual([plain(older)]);
    expect(store.loadState(0).recentEvents).toEqual([event(1), event(2)]);
  });

  it('names the fields of events and spans once per database, not in every value', async () => {
    await store.commit(
      { events: [event(1), event(2)], linked: [], incidents: [], traceSpans: [span('a'.repeat(32), '1'.repeat(16))] },
      { nextEventSeq: 3, nextIncidentSeq: 1 },
    );
    await store.close();
    const raw = open({ path: directory, maxDbs: 16, encoding: 'binary' });
    const eventBytes = Buffer.from(raw.openDB({ name: 'events', encoding: 'binary' }).getBinary(2)!);
    const spanBytes = Buffer.from(raw.openDB({ name: 'trace_spans', encoding: 'binary' }).getBinary(['a'.repeat(32), '1'.repeat(16)])!);
    await raw.close();
    store = openStore(directory);
    expect(eventBytes.includes('correlation_id')).toBe(false);
    expect(spanBytes.includes('parent_span_id')).toBe(false);
    expect(spanBytes.includes('a'.repeat(32))).toBe(false); // the key holds the IDs
    expect(eventBytes.includes('failure 2')).toBe(true); // the values themselves are there
  });

  it('builds the incident index for a store written before it existed', async () => {
    await store.commit({ events: [], linked: [], incidents: [incident(1), incident(2), incident(3)] }, { nextEventSeq: 1, nextIncidentSeq: 4 });
    await store.close();
    const raw = open({ path: directory, maxDbs: 16 });
    await raw.openDB({ name: 'incident_index' }).drop();
    await raw.close();

    store = openStore(directory);

    expect(store.listIncidents({ limit: 2 })).toMatchObject({ totalMatched: 3 });
    expect(store.listIncidents().incidents.map((i) => i.incident_id)).toEqual(['inc_00003', 'inc_00002', 'inc_00001']);
  });

  it('keeps trace IDs exactly, packed or not (a malformed one keeps the plain form)', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => (i * 7919).toString(16).padStart(32, '0'));
    await store.commit(
      { events: [], linked: [], incidents: [incident(1, { trace_ids: ids }), incident(2, { trace_ids: ['not-a-trace-id', 'f'.repeat(32)] }), incident(3, { trace_ids: [] })] },
      { nextEventSeq: 1, nextIncidentSeq: 4 },
    );
    await store.close();
    store = openStore(directory);
    expect(store.getIncident('inc_00001')!.trace_ids).toEqual(ids);
    expect(store.getIncident('inc_00002')!.trace_ids).toEqual(['not-a-trace-id', 'f'.repeat(32)]);
    expect(store.getIncident('inc_00003')!.trace_ids).toEqual([]);
    expect(store.listIncidents().incidents.map((i) => i.trace_ids.length)).toEqual([0, 2, 1000]);
    expect(store.loadState(0).openIncidents.find((i) => i.incident_id === 'inc_00001')!.trace_ids).toEqual(ids);
  });

  it('keeps each commit’s trace IDs as an incident is rewritten (grown, unchanged, replaced, resolved)', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => (i + 1).toString(16).padStart(32, 'c'));
    const counters = { nextEventSeq: 1, nextIncidentSeq: 2 };
    const written: string[][] = [ids.slice(0, 3), ids.slice(0, 6), ids.slice(0, 6), [ids[7]!, ids[0]!], [ids[7]!]];
    for (const traceIds of written) {
      await store.commit({ events: [], linked: [], incidents: [incident(1, { trace_ids: [...traceIds] })] }, counters);
      expect(store.getIncident('inc_00001')!.trace_ids).toEqual(traceIds);
    }
    await store.commit({ events: [], linked: [], incidents: [incident(1, { trace_ids: ids, status: 'resolved' })] }, counters);
    await store.close();
    store = openStore(directory);
    expect(store.getIncident('inc_00001')).toMatchObject({ trace_ids: ids, status: 'resolved' });
  });

  it('prunes old events that belong to no incident, keeping incident timelines and recent events', async () => {
    const events = [1, 2, 3, 4, 5].map((seq) => event(seq, seq === 2 ? { incident_id: 'inc_00001' } : {}));
    await store.commit({ events, linked: [events[1]!], incidents: [incident(1)] }, { nextEventSeq: 6, nextIncidentSeq: 2 });
    // received_at is 2_000_000 + seq: the cut-off keeps seq 4 and 5.
    expect(await store.pruneEvents(2_000_004, 1)).toBe(1);
    expect(await store.pruneEvents(2_000_004)).toBe(1);
    expect(await store.pruneEvents(2_000_004)).toBe(0);
    expect(store.eventCount()).toBe(3);
    expect(store.timeline('inc_00001').map((e) => e.seq)).toEqual([2]);
    expect(store.eventsForTrace(events[0]!.correlation_id)).toEqual([]);
    expect(store.eventsForTrace(events[3]!.correlation_id).map((e) => e.seq)).toEqual([4]);
  });

  it('writes nothing for an empty result', async () => {
    await store.commit({ events: [], linked: [], incidents: [] }, { nextEventSeq: 9, nextIncidentSeq: 9 });
    expect(store.counters()).toEqual({ nextEventSeq: 1, nextIncidentSeq: 1 });
  });
});
