// Shared builders for the notification tests (imported only by *.test.ts): incidents, outbox items, a fake clock,
// and a real HTTP server on 127.0.0.1 standing in for Slack, PagerDuty and webhook receivers.

import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { incidentToJson } from '../../daemon/api-json.js';
import type { Incident, NotificationKind, OutboxItem } from '../../engine/types.js';

/** 2025-02-05 10:30:00 UTC. */
export const T0 = Date.UTC(2025, 1, 5, 10, 30, 0);

export function testIncident(overrides: Partial<Incident> = {}): Incident {
  return {
    incident_id: 'inc_00003',
    incident_type: 'service_down',
    severity: 'critical',
    status: 'detected',
    title: 'Service Down - checkout',
    description: 'checkout stopped answering',
    rule_id: 'service_down',
    group_key: 'checkout',
    detected_at: T0,
    first_event_at: T0 - 60_000,
    last_event_at: T0,
    acknowledged_at: null,
    resolved_at: null,
    closed_at: null,
    affected_components: ['checkout', 'payments'],
    event_count: 42,
    assigned_to: null,
    mttd: 60,
    mttr: null,
    root_cause: {
      primary_error_type: 'TimeoutError',
      primary_source: 'checkout',
      error_distribution: { TimeoutError: 40, ConnectionError: 2 },
      source_distribution: { checkout: 42 },
      root_span: {
        service: 'payments',
        span_name: 'POST /charge',
        span_id: 'ab'.repeat(8),
        trace_id: 'cd'.repeat(16),
        status_message: 'upstream timed out',
        exception_type: 'TimeoutError',
      },
    },
    users_affected: 7,
    similar_incidents: [],
    trace_ids: ['cd'.repeat(16)],
    notes: [],
    actions: [],
    updated_at: T0,
    status_history: [],
    acknowledged_by: null,
    auto_resolved: false,
    resolution: '',
    peak_error_rate: null,
    ...overrides,
  };
}

export function testItem(overrides: Partial<OutboxItem> = {}, incident: Incident = testIncident()): OutboxItem {
  const kind: NotificationKind = overrides.kind ?? 'triggered';
  return {
    id: `ntf_${incident.incident_id}_${kind}_1`,
    channel: 'webhook:ops',
    kind,
    incident_id: incident.incident_id,
    incident: incidentToJson(incident) as unknown as Record<string, unknown>,
    created_at: T0,
    attempts: 0,
    next_attempt_at: T0,
    last_error: null,
    ...overrides,
  };
}

export interface FakeClock {
  (): number;
  now: number;
}

export function fakeClock(start = T0): FakeClock {
  const clock = (() => clock.now) as FakeClock;
  clock.now = start;
  return clock;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering. */
  delayMs?: number;
}

export interface TestReceiver {
  /** `http://127.0.0.1:<port>/hook` */
  url: string;
  requests: ReceivedRequest[];
  /** Most requests that were being answered at the same time. */
  peakConcurrent(): number;
  /** Answers for the next requests, in order; after them every request gets the default. */
  script(...responses: ScriptedResponse[]): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and an ephemeral port that records requests and answers from a script. */
export async function startReceiver(fallback: ScriptedResponse = { status: 200, body: 'ok' }): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const queue: ScriptedResponse[] = [];
  let active = 0;
  let peak = 0;
  const server = createServer((request, response) => {
    active++;
    peak = Math.max(peak, active);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const answer = queue.shift() ?? fallback;
      setTimeout(() => {
        active--;
        response.writeHead(answer.status, answer.headers ?? {});
        response.end(answer.body ?? '');
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    requests,
    peakConcurrent: () => peak,
    script: (...responses) => queue.push(...responses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
