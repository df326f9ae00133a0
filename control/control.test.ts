// The control API over a real unix socket, against a scripted backend: every call round-trips the contract JSON
// (api/) and every refusal arrives as its ControlError kind. The real backend is exercised end to end in test/e2e/.

import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ComponentsJson } from '../api/component.js';
import type { EventJson, IncidentJson } from '../api/incident.js';
import type { NotificationJson } from '../api/notification.js';
import type { SilenceJson } from '../api/silence.js';
import type { WatchMessage } from '../api/update.js';
import { BadRequest, NotFound, RequestRefused, type ControlBackend, type WatchQuery } from './backend.js';
import { connectControl } from './client.js';
import { createLocalClient } from './local-client.js';
import { startControlServer, type ControlServer } from './server.js';

const incidentJson: IncidentJson = {
  incident_id: 'inc_00001',
  incident_type: 'error_burst',
  severity: 'high',
  status: 'detected',
  title: 'Error Burst - checkout - 2026-11-22 08:00',
  description: 'Detect sudden bursts of errors',
  rule_id: 'error_burst',
  detected_at: '2026-11-22T08:00:05.000Z',
  first_event_at: '2026-11-22T08:00:00.000Z',
  last_event_at: '2026-11-22T08:00:04.000Z',
  acknowledged_at: null,
  resolved_at: null,
  closed_at: null,
  affected_components: ['checkout'],
  event_count: 12,
  assigned_to: null,
  mttd: 5,
  mttr: null,
  root_cause: {
    primary_error_type: 'api_error',
    primary_source: 'checkout',
    error_distribution: { api_error: 11, error: 1 },
    source_distribution: { checkout: 12 },
  },
  users_affected: 3,
  similar_incidents: [{ incident_id: 'inc_00000', resolution: 'unresolved' }],
  trace_ids: ['0af7651916cd43dd8448eb211c80319c'],
  notes: [],
  actions: [],
  updated_at: '2026-11-22T08:00:05.000Z',
  status_history: [
    { at: '2026-11-22T08:00:05.000Z', from: null, to: 'detected', by: 'firewatch', reason: 'rule error_burst fired' },
    { at: '2026-11-22T08:00:05.000Z', from: 'detected', to: 'assessing', by: 'firewatch', reason: 'root cause computed' },
  ],
  acknowledged_by: null,
  acknowledged: false,
  auto_resolved: false,
  resolution: null,
  peak_error_rate: 0.45,
  silenced_by: null,
  related_incidents: [],
};

/** A refused call's incident: its root span lies at the peer and names its caller; and one whose root span does not. */
const rootSpan = { service: 'inventory:8081', span_name: 'GET', span_id: 'b7ad6b7169203331', trace_id: '0af7651916cd43dd8448eb211c80319c', status_message: 'connect ECONNREFUSED', exception_type: 'Error' };
const refusedJson: IncidentJson = {
  ...incidentJson,
  incident_id: 'inc_00002',
  root_cause: { ...incidentJson.root_cause, root_span: { ...rootSpan, caller: 'frontend', peer: 'inventory:8081' } },
};
const ownSpanJson: IncidentJson = { ...incidentJson, incident_id: 'inc_00003', root_cause: { ...incidentJson.root_cause, root_span: rootSpan } };

const eventJson: EventJson = {
  event_id: 'evt_1',
  timestamp: '2026-11-22T08:00:00.000Z',
  event_type: 'api_error',
  source: 'checkout',
  severity: 'high',
  message: 'POST /api/orders returned 500',
  metadata: { status_code: 500, 'http.route': '/api/orders', retried: false },
  correlation_id: '0af7651916cd43dd8448eb211c80319c',
  span_id: 'b7ad6b7169203331',
  incident_id: 'inc_00001',
};

const componentsJson: ComponentsJson = {
  window_seconds: 300,
  components: [
    { component: 'payments', status: 'down', reason: 'silent past its expected interval', open_incidents: 1, worst_severity: 'critical', health_percent: 0, error_rate: null, requests_per_minute: 0, last_seen: '2026-11-22T08:00:00.000Z' },
    { component: 'checkout', status: 'healthy', reason: '120 requests, 0 failed', open_incidents: 0, worst_severity: null, health_percent: 100, error_rate: 0, requests_per_minute: 24, last_seen: null },
  ],
};

/** What the scripted daemon's watch does: a sync (resumed when asked from seq 7), then one update. */
const watches: WatchQuery[] = [];
function scriptedWatch(query: WatchQuery, send: (message: WatchMessage) => void): () => void {
  watches.push(query);
  const resumed = query.resume?.seq === 7;
  send({ type: 'sync', sync: { daemon_id: 'd1', seq: resumed ? 7 : 8, resumed, snapshot: resumed || !query.snapshot ? null : [incidentJson], reason: resumed ? '' : 'from the start' } });
  send({ type: 'update', update: { daemon_id: 'd1', seq: 9, kind: 'changed', at: '2026-11-22T08:01:00.000Z', incident: { ...incidentJson, event_count: 13 }, summary: '+1 events (13)' } });
  return () => undefined;
}

const silenceJson: SilenceJson = {
  silence_id: 'sil_00001',
  component: 'payments',
  incident_type: null,
  starts_at: '2026-11-22T08:00:00.000Z',
  ends_at: '2026-11-22T10:00:00.000Z',
  comment: 'CHG-1 upgrade',
  created_by: 'ann',
  created_at: '2026-11-22T08:00:00.000Z',
  expired_at: null,
  expired_by: null,
  active: true,
};
const deadLetterJson: NotificationJson = {
  notification_id: 'ntf_inc_00001_triggered_1',
  channel: 'webhook:ops',
  kind: 'triggered',
  incident_id: 'inc_00001',
  state: 'dead',
  created_at: '2026-11-22T08:00:00.000Z',
  attempts: 1,
  next_attempt_at: null,
  last_error: 'HTTP 400',
  failed_at: '2026-11-22T08:00:01.000Z',
  reason: 'HTTP 400 is final',
};

const backend: ControlBackend = {
  status: () => ({
    daemon_id: 'd1',
    seq: 9,
    version: '0.1.0',
    started_at: '2026-11-22T07:00:00.000Z',
    otlp_grpc_endpoint: '127.0.0.1:4317',
    otlp_http_endpoint: '',
    storage_directory: '/tmp/fw',
    open_incidents: 1,
    incidents_total: 3,
    spans_received: 10,
    spans_rejected: 0,
    log_records_received: 0,
    metric_points_received: 0,
    events_accepted: 12,
    bad_requests: 0,
  }),
  listIncidents: (query) => ({ incidents: query.limit === 7 ? [] : [incidentJson], total_matched: 1 }),
  getIncident: (id, options) =>
    id === 'inc_00001'
      ? { ...incidentJson, ...(options.timeline ? { timeline: [eventJson] } : {}) }
      : [refusedJson, ownSpanJson].find((incident) => incident.incident_id === id),
  getTrace: () => undefined,
  listRules: () => [],
  getRule: () => undefined,
  createIncident: async (input) => ({ ...incidentJson, incident_type: input.incident_type as IncidentJson['incident_type'], notes: [input.actor] }),
  updateIncident: async (input) => {
    if (input.status === 'closed') throw new RequestRefused(`${input.incident_id} is investigating: only a resolved incident can be closed`);
    return incidentJson;
  },
  resolveIncident: async (id) => {
    throw new NotFound(`incident ${id} not found`);
  },
  closeIncident: async () => {
    throw new BadRequest('the request does not say who is asking (actor)');
  },
  listActions: (id) => ({ incident_id: id, actions: [], manual_steps: ['Check database status'] }),
  mitigate: async () => ({ summary: 'scale_up succeeded', outcome: 'succeeded', audit: [], incident: incidentJson }),
  timeline: (query) => ({ incident_id: query.incident_id, entries: [], total: 0 }),
  postmortem: (id) => ({ incident_id: id, markdown: '# Incident Post-Mortem: inc_00001', draft: true, generated_at: '2025-02-05T10:40:00.000Z' }),
  setRulesEnabled: async () => [],
  updateRule: async () => {
    throw new NotFound('unknown rule x');
  },
  createRule: async () => {
    throw new RequestRefused('exists');
  },
  resetRules: async () => [],
  testRule: async (ruleId) => ({ rule_id: ruleId, would_fire: false, fired_at: null, matched_events: 0, events_evaluated: 0, reason: 'no events', dry_run: true, incident_ids: [] }),
  stats: () => {
    throw new Error('not scripted');
  },
  components: () => componentsJson,
  watch: scriptedWatch,
  createSilence: async (input) => {
    if (input.comment === '') throw new BadRequest('a silence needs a comment');
    return { ...silenceJson, component: input.component, incident_type: (input.incident_type || null) as SilenceJson['incident_type'], created_by: input.actor };
  },
  listSilences: (all) => (all ? [silenceJson, { ...silenceJson, silence_id: 'sil_00000', active: false }] : [silenceJson]),
  expireSilence: async (id, actor) => {
    if (id !== 'sil_00001') throw new NotFound(`silence ${id} not found`);
    return { ...silenceJson, expired_at: '2026-11-22T09:00:00.000Z', expired_by: actor, active: false };
  },
  listNotifications: (query) => (query.channel === 'slack' ? [] : [deadLetterJson]),
  retryNotifications: async (ids, allDead, actor) => [{ notification_id: allDead ? 'all' : ids.join(','), retried: true, detail: actor }],
  dropNotification: async (id) => {
    if (id !== deadLetterJson.notification_id) throw new NotFound(`no dead letter ${id}`);
    return deadLetterJson;
  },
};

describe('control API over a unix socket', () => {
  let directory: string;
  let server: ControlServer | undefined;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-control-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(directory, { recursive: true, force: true });
  });

  it('round-trips incidents as the JSON contract, nulls and metadata included', async () => {
    const socket = join(directory, 'control.sock');
    server = await startControlServer(socket, backend);
    expect(statSync(socket).mode & 0o777).toBe(0o600);

    const client = connectControl(socket);
    try {
      const page = await client.listIncidents({ status: ['active'] });
      expect(page.incidents).toEqual([incidentJson]);
      expect(await client.getIncident('inc_00001', { timeline: true })).toEqual({ ...incidentJson, timeline: [eventJson] });
      expect(await client.getIncident('inc_00002')).toEqual(refusedJson);
      expect(await client.getIncident('inc_00003')).toEqual(ownSpanJson);
      await expect(client.getIncident('inc_404')).rejects.toThrow('incident inc_404 not found');
      await expect(client.listIncidents({ since: 'yesterday' })).rejects.toThrow('since: not an ISO-8601 time');
    } finally {
      client.close();
    }
  });

  it('carries workflow requests and maps refusals to FAILED_PRECONDITION, NOT_FOUND and INVALID_ARGUMENT', async () => {
    const socket = join(directory, 'control.sock');
    server = await startControlServer(socket, backend);
    const client = connectControl(socket);
    try {
      expect(await client.createIncident({ incident_type: 'service_down', actor: 'ann' })).toMatchObject({ incident_type: 'service_down', notes: ['ann'] });
      await expect(client.updateIncident({ incident_id: 'inc_00001', actor: 'ann', status: 'closed' })).rejects.toMatchObject({
        kind: 'refused',
        code: grpc.status.FAILED_PRECONDITION,
        message: 'inc_00001 is investigating: only a resolved incident can be closed',
      });
      await expect(client.resolveIncident({ incident_id: 'inc_404', actor: 'ann' })).rejects.toMatchObject({ kind: 'not_found', code: grpc.status.NOT_FOUND });
      await expect(client.closeIncident({ incident_id: 'inc_00001', actor: '' })).rejects.toMatchObject({ kind: 'bad_request', code: grpc.status.INVALID_ARGUMENT });
      await expect(client.stats()).rejects.toMatchObject({ kind: 'internal', message: 'not scripted' });
      expect(await client.listActions('inc_00001')).toEqual({ incident_id: 'inc_00001', actions: [], manual_steps: ['Check database status'] });
      expect(await client.mitigate({ incident_id: 'inc_00001', action_id: 'scale_up', actor: 'ann' })).toEqual({
        summary: 'scale_up succeeded',
        outcome: 'succeeded',
        audit: [],
        incident: incidentJson,
      });
      expect(await client.postmortem('inc_00001')).toEqual({
        incident_id: 'inc_00001',
        markdown: '# Incident Post-Mortem: inc_00001',
        draft: true,
        generated_at: '2025-02-05T10:40:00.000Z',
      });
    } finally {
      client.close();
    }
  });

  it('carries silences and notifications as the JSON contract, nulls included, and their refusals', async () => {
    const socket = join(directory, 'control.sock');
    server = await startControlServer(socket, backend);
    const client = connectControl(socket);
    try {
      expect(await client.createSilence({ actor: 'ann', component: 'checkout', incident_type: 'error_burst', duration_seconds: 7200, comment: 'x' })).toEqual({
        ...silenceJson,
        component: 'checkout',
        incident_type: 'error_burst',
      });
      await expect(client.createSilence({ actor: 'ann', component: 'checkout', until: '2026-11-22T10:00:00Z', comment: '' })).rejects.toMatchObject({
        kind: 'bad_request',
        code: grpc.status.INVALID_ARGUMENT,
      });
      expect(await client.listSilences()).toEqual([silenceJson]);
      expect(await client.listSilences({ all: true })).toHaveLength(2);
      expect(await client.expireSilence({ silence_id: 'sil_00001', actor: 'bob' })).toMatchObject({ expired_by: 'bob', active: false });
      await expect(client.expireSilence({ silence_id: 'sil_00404', actor: 'bob' })).rejects.toMatchObject({ kind: 'not_found' });
      expect(await client.listNotifications({ dead: true })).toEqual([deadLetterJson]);
      expect(await client.listNotifications({ channel: 'slack' })).toEqual([]);
      expect(await client.retryNotifications({ actor: 'ann', all_dead: true })).toEqual([{ notification_id: 'all', retried: true, detail: 'ann' }]);
      expect(await client.retryNotifications({ actor: 'ann', notification_ids: ['a', 'b'] })).toEqual([{ notification_id: 'a,b', retried: true, detail: 'ann' }]);
      expect(await client.dropNotification({ actor: 'ann', notification_id: deadLetterJson.notification_id })).toEqual(deadLetterJson);
      // the in-process client answers the same
      const local = createLocalClient(backend);
      expect(await local.listSilences()).toEqual(await client.listSilences());
      expect(await local.listNotifications({ dead: true })).toEqual(await client.listNotifications({ dead: true }));
    } finally {
      client.close();
    }
  });

  it('replaces a stale socket file and refuses to start beside a live daemon', async () => {
    const socket = join(directory, 'control.sock');
    writeFileSync(socket, '');
    server = await startControlServer(socket, backend);
    await expect(startControlServer(socket, backend)).rejects.toThrow(/another firewatch daemon is already listening/);
  });

  it('says clearly when no daemon answers', async () => {
    const client = connectControl(join(directory, 'none.sock'), { deadlineMs: 2_000 });
    await expect(client.status()).rejects.toMatchObject({ kind: 'unavailable', message: expect.stringMatching(/no firewatch daemon is answering at .*none\.sock/) });
    client.close();
  });

  it('carries status, components, and the watch stream: sync first, resume points and filters both ways', async () => {
    const socket = join(directory, 'control.sock');
    server = await startControlServer(socket, backend);
    const client = connectControl(socket);
    try {
      expect(await client.status()).toMatchObject({ daemon_id: 'd1', seq: 9, open_incidents: 1 });
      expect(await client.components()).toEqual(componentsJson);
      watches.length = 0;
      const messages: WatchMessage[] = [];
      const watch = client.watch({ snapshot: true, severity: ['HIGH'] }, (message) => messages.push(message));
      await waitFor(() => messages.length === 2);
      expect(messages[0]).toEqual({ type: 'sync', sync: { daemon_id: 'd1', seq: 8, resumed: false, snapshot: [incidentJson], reason: 'from the start' } });
      expect(messages[1]).toMatchObject({ type: 'update', update: { daemon_id: 'd1', seq: 9, kind: 'changed', incident: { event_count: 13 } } });
      watch.cancel();
      await watch.done;
      const resumed: WatchMessage[] = [];
      const again = client.watch({ snapshot: true, resume: { daemon_id: 'd1', seq: 7 } }, (message) => resumed.push(message));
      await waitFor(() => resumed.length === 2);
      expect(resumed[0]).toEqual({ type: 'sync', sync: { daemon_id: 'd1', seq: 7, resumed: true, snapshot: null, reason: '' } });
      again.cancel();
      expect(watches).toEqual([
        { incident_id: '', severities: ['high'], snapshot: true, resume: null },
        { incident_id: '', severities: [], snapshot: true, resume: { daemon_id: 'd1', seq: 7 } },
      ]);
    } finally {
      client.close();
    }
  });
});

describe('the in-process client', () => {
  it('answers like the socket client: the same JSON, the same error kinds, the same watch messages', async () => {
    const client = createLocalClient(backend);
    expect(await client.getIncident('inc_00001', { timeline: true })).toEqual({ ...incidentJson, timeline: [eventJson] });
    await expect(client.getIncident('inc_404')).rejects.toMatchObject({ kind: 'not_found' });
    await expect(client.updateIncident({ incident_id: 'inc_00001', actor: 'ann', status: 'closed' })).rejects.toMatchObject({ kind: 'refused' });
    await expect(client.stats()).rejects.toMatchObject({ kind: 'internal' });
    await expect(client.listIncidents({ since: 'yesterday' })).rejects.toMatchObject({ kind: 'bad_request' });
    const messages: WatchMessage[] = [];
    const watch = client.watch({ snapshot: true }, (message) => messages.push(message));
    await waitFor(() => messages.length === 2);
    expect(messages.map((m) => m.type)).toEqual(['sync', 'update']);
    watch.cancel();
    await watch.done;
    client.close();
    await expect(client.status()).rejects.toMatchObject({ kind: 'unavailable' });
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
