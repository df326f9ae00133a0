import { describe, expect, it } from 'vitest';

import { dependencyOf, failedCallPeer } from './shared-dependency.js';
import { MINUTE, T0, draft, ingestExports, span, spanId, testEngine, traceId, type ServiceExport } from '../test/helpers/engine-fixtures.js';
import type { Engine } from './engine.js';
import type { EventDraft, IncidentEvent } from './types.js';

const PG = 'pg-main';

/**
 * One request of `service` (trace `traceId(n)`): its SERVER span answering 500 and its query to `peer` (a CLIENT span);
 * the query fails when `queryFails`, else the service fails on its own bug. Events as the receiver makes them.
 */
function request(service: string, n: number, at: number, queryFails: boolean, peer = PG): ServiceExport {
  const trace = traceId(n);
  const server = span({ trace_id: trace, span_id: spanId(n * 4 + 1), service, name: 'GET /api', kind: 2, start_ms: at, end_ms: at + 50, failed: true, status_code: 2, http_status: 500 });
  const query = span({
    trace_id: trace,
    span_id: spanId(n * 4 + 2),
    parent_span_id: server.span_id,
    service,
    name: 'SELECT orders',
    kind: 3,
    start_ms: at + 1,
    end_ms: at + 40,
    peer,
    failed: queryFails,
    status_code: queryFails ? 2 : 0,
    status_message: queryFails ? 'connection timed out' : '',
  });
  const events: EventDraft[] = [
    draft({ timestamp: at + 50, event_type: 'api_error', source: service, correlation_id: trace, span_id: server.span_id, metadata: { kind: 'server', status_code: 500 } }),
  ];
  if (queryFails) {
    events.unshift(
      draft({
        timestamp: at + 40,
        event_type: 'database_connection_error',
        severity: 'critical',
        source: service,
        message: 'postgresql call "SELECT orders" failed: connection timed out',
        correlation_id: trace,
        span_id: query.span_id,
        metadata: { kind: 'client', peer, 'db.system': 'postgresql' },
      }),
    );
  }
  return { service: 'frontend', trace: n, spans: [server, query], events };
}

/** `count` requests of `service` from trace number `first`, 100 ms apart from `start`. */
function requests(service: string, first: number, count: number, start: number, queryFails = true, peer = PG): ServiceExport[] {
  return Array.from({ length: count }, (_, i) => request(service, first + i, start + i * 100, queryFails, peer));
}

function ingestEach(engine: Engine, exports: ServiceExport[]): void {
  for (const one of exports) ingestExports(engine, [one]);
}

describe('a shared dependency failing under several callers', () => {
  it('is one incident placed at the dependency, listing its callers, whichever order they arrive in', () => {
    for (const order of [
      ['checkout', 'billing', 'inventory'],
      ['inventory', 'checkout', 'billing'],
    ]) {
      // prepare
      const { engine } = testEngine();

      // act: each caller's 12 failing requests, one caller after the other (each its own exporter)
      order.forEach((service, i) => ingestEach(engine, requests(service, i * 100, 12, T0 + i * 10)));

      // verify
      const incidents = engine.openIncidents();
      expect(incidents, order.join()).toHaveLength(1);
      const [incident] = incidents;
      expect(incident!.affected_components).toEqual([order[0], order[1], PG, order[2]]);
      expect(incident!.event_count).toBe(3 * 24);
      expect(incident!.root_cause).toMatchObject({ primary_source: PG, primary_error_type: 'database_connection_error' });
      expect(incident!.root_cause.root_span).toMatchObject({ service: PG, peer: PG, span_name: 'SELECT orders', caller: order[0] });
      expect(incident!.title).toMatch(/^Error Burst - pg-main - /);
      expect(incident!.notes).toContain(`shared dependency: calls to pg-main fail under ${order[0]}, ${order[1]}; placed at pg-main`);
      expect(incident!.group_aliases).toEqual([`error_burst ${order[1]}`, `error_burst ${order[2]}`]);
    }
  });

  it('leaves one failing caller at the caller, naming what its failing call was to', () => {
    // prepare
    const { engine } = testEngine();

    // act
    ingestEach(engine, requests('checkout', 0, 12, T0));

    // verify
    const [incident] = engine.openIncidents();
    expect(incident!.root_cause).toMatchObject({ primary_source: 'checkout' });
    expect(incident!.root_cause.root_span).toMatchObject({ service: 'checkout', peer: PG });
    expect(incident!.root_cause.root_span).not.toHaveProperty('caller');
    expect(incident!.affected_components).toEqual(['checkout']);
  });

  it('keeps apart services failing on their own bugs while their queries to the same database succeed', () => {
    // prepare
    const { engine } = testEngine();

    // act
    ingestEach(engine, [...requests('search', 0, 12, T0, false), ...requests('billing', 100, 12, T0, false)]);

    // verify
    expect(engine.openIncidents().map((i) => i.affected_components)).toEqual([['search'], ['billing']]);
  });

  it('keeps apart a caller failing on the database and one failing on its own bug beside it', () => {
    // prepare
    const { engine } = testEngine();

    // act
    ingestEach(engine, [...requests('checkout', 0, 12, T0), ...requests('billing', 100, 12, T0, false)]);

    // verify
    expect(engine.openIncidents().map((i) => i.root_cause.primary_source)).toEqual(['checkout', 'billing']);
  });

  it('does not fold a caller whose failures only now and then touch the dependency (under half its requests)', () => {
    // prepare
    const { engine } = testEngine();
    ingestEach(engine, requests('checkout', 0, 12, T0));
    const mostlyOwn = Array.from({ length: 12 }, (_, i) => request('billing', 100 + i, T0 + i * 100, i % 3 === 0));

    // act
    ingestEach(engine, mostlyOwn);

    // verify
    expect(engine.openIncidents().map((i) => i.affected_components)).toEqual([['checkout'], ['billing']]);
  });

  it('is bounded in time: the same database failing for another caller more than a rule window later is another incident', () => {
    // prepare
    const { engine } = testEngine({}, Object.assign(() => T0 + 30 * MINUTE, { now: T0 + 30 * MINUTE }));
    ingestEach(engine, requests('checkout', 0, 12, T0));

    // act: billing's failures 20 minutes later (error_burst's window is 5)
    ingestEach(engine, requests('billing', 100, 12, T0 + 20 * MINUTE));

    // verify
    expect(engine.openIncidents().map((i) => i.root_cause.primary_source)).toEqual(['checkout', 'billing']);
  });

  it('does not fold two different dependencies', () => {
    // prepare
    const { engine } = testEngine();

    // act
    ingestEach(engine, [...requests('checkout', 0, 12, T0), ...requests('billing', 100, 12, T0, true, 'pg-reports')]);

    // verify
    expect(engine.openIncidents()).toHaveLength(2);
  });

  it('keeps its live reading through a workflow update: an incident that opened on its own bug stays no fold target', () => {
    // prepare: checkout fails mostly on its own bug; its deepest failing spans are still its few failed queries
    const { engine } = testEngine();
    ingestEach(engine, Array.from({ length: 12 }, (_, i) => request('checkout', i, T0 + i * 100, i % 3 === 0)));
    const [checkout] = engine.openIncidents();
    expect(checkout!.root_cause.root_span).toMatchObject({ peer: PG });
    engine.updateIncident({ ...checkout!, status: 'investigating', acknowledged_at: T0 + MINUTE, acknowledged_by: 'ana' });

    // act
    ingestEach(engine, requests('billing', 100, 12, T0 + 2_000));

    // verify
    expect(engine.openIncidents().map((i) => i.affected_components)).toEqual([['checkout'], ['billing']]);
  });

  it('survives a restart: read back from the root cause, a third caller still folds in', () => {
    // prepare
    const first = testEngine();
    ingestEach(first.engine, [...requests('checkout', 0, 12, T0), ...requests('billing', 100, 12, T0)]);
    const [stored] = first.engine.openIncidents();
    const { engine } = testEngine();
    engine.restore({ ...first.engine.counters(), openIncidents: [stored!], recentEvents: [] });

    // act
    ingestEach(engine, requests('inventory', 200, 12, T0 + 2_000));

    // verify
    const incidents = engine.openIncidents();
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.affected_components).toEqual(['checkout', 'billing', PG, 'inventory']);
    expect(incidents[0]!.root_cause.primary_source).toBe(PG);
  });
});

describe('failedCallPeer and dependencyOf', () => {
  const event = (over: Partial<IncidentEvent>, metadata: IncidentEvent['metadata']): IncidentEvent => ({
    ...draft({ ...over, metadata }),
    event_id: `evt_${over.span_id ?? 'x'}`,
    seq: 1,
    received_at: T0,
    incident_id: '',
  });

  it('reads the peer of an error-level call only, and not of a call already placed at its peer', () => {
    expect(failedCallPeer(event({}, { kind: 'client', peer: PG }))).toBe(PG);
    expect(failedCallPeer(event({}, { kind: 'producer', peer: 'orders-topic' }))).toBe('orders-topic');
    expect(failedCallPeer(event({}, { kind: 'server', peer: PG }))).toBe('');
    expect(failedCallPeer(event({ severity: 'medium' }, { kind: 'client', peer: PG }))).toBe('');
    expect(failedCallPeer(event({ source: PG }, { kind: 'client', peer: PG }))).toBe('');
    expect(failedCallPeer(event({}, { kind: 'client' }))).toBe('');
  });

  it('names the dependency at least half of the failing requests failed on, counting a trace once', () => {
    const call = (n: number, peer: string) => event({ correlation_id: traceId(n), span_id: spanId(n) }, { kind: 'client', peer });
    const own = (n: number) => event({ correlation_id: traceId(n), span_id: spanId(n + 1000) }, { kind: 'server' });
    expect(dependencyOf([call(1, PG), own(1), call(2, PG), own(2), own(3), own(4)])).toBe(PG);
    expect(dependencyOf([call(1, PG), own(2), own(3)])).toBe('');
    expect(dependencyOf([call(1, PG), call(2, 'redis'), call(3, PG), call(4, 'redis'), own(5)])).toBe('');
    expect(dependencyOf([own(1), own(2)])).toBe('');
  });
});
