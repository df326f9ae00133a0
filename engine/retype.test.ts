import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { builtinRules } from './builtin-rules.js';
import { MINUTE, SECOND, T0, customRule, draft, span, spanId, testEngine, traceId } from '../test/helpers/engine-fixtures.js';
import type { Engine } from './engine.js';
import { applyTransition } from './workflow.js';
import type { EventDraft, Incident, IncidentEvent, IngestResult, SpanRecord } from './types.js';

const PEER = 'inventory:8081';

/** One request's telemetry: what the receiver hands the engine for it. */
interface RequestTelemetry {
  /** The frontend's answer: a failed SERVER span and its api_error. */
  server: { span: SpanRecord; event: EventDraft };
  /** Its call to inventory, refused: a failed CLIENT span and its service_unavailable (sourced at the peer). */
  client: { span: SpanRecord; event: EventDraft };
}

/** Request `n` of a frontend whose calls to inventory are refused (what span-converter.ts makes of them). */
function refusedRequest(n: number): RequestTelemetry {
  const trace = traceId(n);
  const at = T0 + n * 100;
  const server = span({ trace_id: trace, span_id: spanId(2 * n + 1), service: 'frontend', name: 'GET /checkout', kind: 2, start_ms: at, end_ms: at + 9, http_status: 500, status_code: 2, failed: true });
  const client = span({ trace_id: trace, span_id: spanId(2 * n + 2), parent_span_id: server.span_id, service: 'frontend', name: 'GET', kind: 3, start_ms: at + 5, end_ms: at + 7, status_code: 2, status_message: 'connect ECONNREFUSED 127.0.0.1:8081', peer: PEER, failed: true });
  return {
    server: { span: server, event: draft({ timestamp: at + 9, event_type: 'api_error', source: 'frontend', severity: 'high', correlation_id: trace, span_id: server.span_id }) },
    client: {
      span: client,
      event: draft({
        timestamp: at + 7,
        event_type: 'service_unavailable',
        source: PEER,
        severity: 'critical',
        message: `frontend could not reach ${PEER}: connect ECONNREFUSED 127.0.0.1:8081`,
        metadata: { kind: 'client', caller: 'frontend', peer: PEER },
        correlation_id: trace,
        span_id: client.span_id,
      }),
    },
  };
}

type Part = { span: SpanRecord; event: EventDraft };

/** Ingests parts as one export: their events, with their spans as context. */
function ingestParts(engine: Engine, parts: readonly Part[]): IngestResult {
  return engine.ingest(
    parts.map((p) => p.event),
    { spans: parts.map((p) => p.span) },
  );
}

/** The engine's open incidents, the one test cares about first. */
function outcome(engine: Engine): Incident[] {
  return engine.openIncidents();
}

function expectOneServiceDownAtThePeer(incidents: readonly Incident[], events: number): void {
  expect(incidents).toHaveLength(1);
  const incident = incidents[0]!;
  expect(incident).toMatchObject({ incident_type: 'service_down', severity: 'critical', rule_id: 'service_down', group_key: PEER, event_count: events });
  expect(incident.root_cause).toMatchObject({ primary_error_type: 'service_unavailable', primary_source: PEER });
  expect(incident.root_cause.root_span).toMatchObject({ service: PEER, caller: 'frontend', span_name: 'GET' });
  expect(incident.title.startsWith(`Service Down - ${PEER} - `)).toBe(true);
  expect([...incident.affected_components].sort()).toEqual(['frontend', PEER].sort());
}

const REQUESTS = 12;

describe('a stronger reading re-types the incident: the same outage in any arrival order', () => {
  it('any permutation and batching of one outage\'s telemetry gives one critical service_down incident at the peer (property)', () => {
    fc.assert(
      fc.property(
        fc.shuffledSubarray(
          Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n)).flatMap((r) => [r.server, r.client]),
          { minLength: 2 * REQUESTS, maxLength: 2 * REQUESTS },
        ),
        fc.array(fc.integer({ min: 1, max: 2 * REQUESTS }), { minLength: 1, maxLength: 2 * REQUESTS }),
        (parts, sizes) => {
          // prepare
          const { engine } = testEngine();
          // act: consecutive exports of the given sizes
          let at = 0;
          for (const size of sizes) {
            if (at >= parts.length) break;
            ingestParts(engine, parts.slice(at, at + size));
            at += size;
          }
          if (at < parts.length) ingestParts(engine, parts.slice(at));
          // verify
          expectOneServiceDownAtThePeer(outcome(engine), 2 * REQUESTS);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('error_burst first, then the refused calls: re-typed in place, noted, raised to critical; the frontend\'s group stays with it', () => {
    // prepare: the frontend's answers arrive first and open an error_burst
    const { engine } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    const opened = ingestParts(engine, requests.map((r) => r.server));
    expect(opened.incidents[0]).toMatchObject({ incident_type: 'error_burst', severity: 'high', group_key: 'frontend' });

    // act: the refused calls of the same requests; later, more frontend errors of new traces
    const retyped = ingestParts(engine, requests.map((r) => r.client));
    const later = engine.ingest(
      Array.from({ length: 10 }, (_, i) => draft({ timestamp: T0 + 2 * SECOND + i, event_type: 'api_error', source: 'frontend', correlation_id: traceId(1000 + i) })),
    );

    // verify
    expect(retyped.incidents).toHaveLength(1);
    const incident = retyped.incidents[0]!;
    expect(incident.incident_id).toBe(opened.incidents[0]!.incident_id);
    expect(incident.notes).toEqual([
      `type error_burst → service_down: rule service_down: 5 service_unavailable events from ${PEER} within 1m`,
      'severity high → critical: re-typed service_down (rule service_down)',
      `root cause revised: service_unavailable on ${PEER} (was api_error on frontend)`,
    ]);
    expect(incident.group_aliases).toEqual(['error_burst frontend']);
    expect(later.incidents.map((i) => [i.incident_id, i.event_count])).toEqual([[incident.incident_id, 2 * REQUESTS + 10]]);
    expectOneServiceDownAtThePeer(outcome(engine), 2 * REQUESTS + 10);
  });

  it('the refused calls first: service_down opens, the frontend\'s errors join, nothing outranks it', () => {
    const { engine } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    ingestParts(engine, requests.map((r) => r.client));
    const joined = ingestParts(engine, requests.map((r) => r.server));
    expect(joined.incidents[0]!.notes).toEqual([]);
    expectOneServiceDownAtThePeer(outcome(engine), 2 * REQUESTS);
  });

  it('of two equally severe rules the one listed first wins, whichever fires first', () => {
    // prepare: two high rules, `first` listed before `second`; each request yields one event of each, in one trace
    const rules = [
      customRule({ rule_id: 'first', incident_type: 'error_burst', severity: 'high', error_threshold: 3, match: { event_types: ['a'] } }),
      customRule({ rule_id: 'second', incident_type: 'workflow_failure_spike', severity: 'high', error_threshold: 3, match: { event_types: ['b'] } }),
    ];
    const events = (type: string) => Array.from({ length: 4 }, (_, n) => draft({ event_type: type, source: type, correlation_id: traceId(n), timestamp: T0 + n }));

    // act
    const aFirst = testEngine({ rules }).engine;
    aFirst.ingest(events('a'));
    aFirst.ingest(events('b'));
    const bFirst = testEngine({ rules }).engine;
    bFirst.ingest(events('b'));
    bFirst.ingest(events('a'));

    // verify
    for (const engine of [aFirst, bFirst]) {
      const incidents = outcome(engine);
      expect(incidents.map((i) => [i.rule_id, i.incident_type, i.group_key, i.event_count])).toEqual([['first', 'error_burst', 'a', 8]]);
    }
  });

  it('a reading whose group has an incident of its own is not taken: that failure is reported already', () => {
    // prepare: inventory is down for some other caller (no traces shared), then the frontend's burst opens
    const { engine } = testEngine();
    engine.ingest(Array.from({ length: 5 }, (_, i) => draft({ event_type: 'service_unavailable', source: PEER, severity: 'critical', timestamp: T0 + i })));
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    ingestParts(engine, requests.map((r) => r.server));

    // act: the frontend's refused calls join its error_burst through their traces
    ingestParts(engine, requests.map((r) => r.client));

    // verify
    expect(outcome(engine).map((i) => [i.incident_type, i.group_key])).toEqual([
      ['service_down', PEER],
      ['error_burst', 'frontend'],
    ]);
  });

  it('counts the events of a reading only within that rule\'s window', () => {
    // prepare: the frontend's burst, then refused calls of its traces spread over 5 minutes (service_down: 5 in 60 s)
    const { engine } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    ingestParts(engine, requests.map((r) => r.server));

    // act
    for (let i = 0; i < 6; i++) {
      const part = requests[i]!.client;
      ingestParts(engine, [{ span: part.span, event: { ...part.event, timestamp: T0 + i * MINUTE } }]);
    }

    // verify
    expect(outcome(engine).map((i) => [i.incident_type, i.severity])).toEqual([['error_burst', 'high']]);
  });

  it('after a restart the readings are rebuilt from the recent events linked to open incidents', () => {
    // prepare: error_burst open, 3 refused calls joined; the daemon restarts
    const { engine, clock } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    const results = [ingestParts(engine, requests.map((r) => r.server)), ingestParts(engine, requests.slice(0, 3).map((r) => r.client))];
    const events = new Map<string, IncidentEvent>();
    for (const result of results) for (const event of [...result.events, ...result.linked]) events.set(event.event_id, event);
    const restarted = testEngine({}, clock).engine;
    restarted.restore({
      ...engine.counters(),
      openIncidents: engine.openIncidents(),
      recentEvents: [...events.values()].sort((a, b) => a.seq - b.seq),
    });

    // act: two more refused calls make five within a minute
    ingestParts(restarted, requests.slice(3, 5).map((r) => r.client));

    // verify
    expect(outcome(restarted).map((i) => [i.incident_type, i.severity, i.group_key])).toEqual([['service_down', 'critical', PEER]]);
  });

  it('a workflow update between the joins (the daemon moving it to containing) does not reset the count', () => {
    // prepare: error_burst open, 3 refused calls joined, then the workflow hands back a changed copy
    const { engine } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    const [opened] = ingestParts(engine, requests.map((r) => r.server)).incidents;
    ingestParts(engine, requests.slice(0, 3).map((r) => r.client));
    const copy = engine.incident(opened!.incident_id)!;
    applyTransition(copy, 'containing', { at: T0, by: 'firewatch', reason: 'running the safe recommended actions' });
    engine.updateIncident(copy);

    // act: two more refused calls make five within a minute
    ingestParts(engine, requests.slice(3, 5).map((r) => r.client));

    // verify
    expect(outcome(engine).map((i) => [i.incident_type, i.status])).toEqual([['service_down', 'containing']]);
  });

  it('a re-typed incident keeps its anchor and alias across a restart', () => {
    // prepare
    const { engine, clock } = testEngine();
    const requests = Array.from({ length: REQUESTS }, (_, n) => refusedRequest(n));
    ingestParts(engine, requests.map((r) => r.server));
    ingestParts(engine, requests.map((r) => r.client));
    const restarted = testEngine({}, clock).engine;
    restarted.restore({ ...engine.counters(), openIncidents: engine.openIncidents(), recentEvents: [] });

    // act: more refused calls and more frontend errors, on new traces
    restarted.ingest([
      ...Array.from({ length: 5 }, (_, i) => ({ ...refusedRequest(100 + i).client.event })),
      ...Array.from({ length: 10 }, (_, i) => ({ ...refusedRequest(200 + i).server.event })),
    ]);

    // verify
    expect(outcome(restarted).map((i) => [i.incident_type, i.group_key, i.event_count])).toEqual([['service_down', PEER, 2 * REQUESTS + 15]]);
  });

  it('leaves an incident of the highest-ranked rule alone (no counting at all)', () => {
    const { engine } = testEngine({ rules: builtinRules() });
    engine.ingest(Array.from({ length: 5 }, (_, i) => draft({ event_type: 'service_unavailable', source: PEER, severity: 'critical', timestamp: T0 + i, correlation_id: traceId(i) })));
    engine.ingest(Array.from({ length: 10 }, (_, i) => draft({ event_type: 'api_error', source: 'frontend', timestamp: T0 + i, correlation_id: traceId(i) })));
    const [incident] = outcome(engine);
    expect(incident!.incident_type).toBe('service_down');
    expect(incident!.notes.filter((note) => note.startsWith('type ') || note.startsWith('severity '))).toEqual([]);
    expect(incident!.title.startsWith(`Service Down - ${PEER} - `)).toBe(true); // no spans: titled after its group
  });
});
