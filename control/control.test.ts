import * as grpc from '@grpc/grpc-js';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from './client.js';
import type { JsonObject } from './messages.js';
import { BadRequest, NotFound, RequestRefused, startControlServer, type ControlBackend, type ControlServer } from './server.js';

const incidentJson: JsonObject = {
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
};

/** A refused call's incident: its root span lies at the peer and names its caller; and one whose root span does not. */
const rootSpan = { service: 'inventory:8081', span_name: 'GET', span_id: 'b7ad6b7169203331', trace_id: '0af7651916cd43dd8448eb211c80319c', status_message: 'connect ECONNREFUSED', exception_type: 'Error' };
const refusedJson: JsonObject = {
  ...incidentJson,
  incident_id: 'inc_00002',
  root_cause: { ...(incidentJson.root_cause as JsonObject), root_span: { ...rootSpan, caller: 'frontend' } },
};
const ownSpanJson: JsonObject = { ...incidentJson, incident_id: 'inc_00003', root_cause: { ...(incidentJson.root_cause as JsonObject), root_span: rootSpan } };

const eventJson: JsonObject = {
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

const backend: ControlBackend = {
  status: () => ({ version: '0.1.0', open_incidents: 1 }),
  listIncidents: (query) => ({ incidents: query.limit === 7 ? [] : [incidentJson], totalMatched: 1 }),
  getIncident: (id, options) =>
    id === 'inc_00001'
      ? { ...incidentJson, ...(options.timeline ? { timeline: [eventJson] } : {}) }
      : [refusedJson, ownSpanJson].find((incident) => incident.incident_id === id),
  getTrace: () => undefined,
  listRules: () => [],
  getRule: () => undefined,
  createIncident: async (input) => ({ ...incidentJson, incident_type: input.incident_type, notes: [input.actor] }),
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
  listActions: () => ({ actions: [], manual_steps: ['Check database status'] }),
  mitigate: async () => ({ summary: 'scale_up succeeded', outcome: 'succeeded', audit: [], incident: incidentJson }),
  timeline: () => ({ entries: [], total: 0 }),
  postmortem: () => ({ markdown: '# Incident Post-Mortem: inc_00001', draft: true, generated_at: '2025-02-05T10:40:00.000Z' }),
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
        code: grpc.status.FAILED_PRECONDITION,
        message: 'inc_00001 is investigating: only a resolved incident can be closed',
      });
      await expect(client.resolveIncident('inc_404', 'ann')).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
      await expect(client.closeIncident('inc_00001', '')).rejects.toMatchObject({ code: grpc.status.INVALID_ARGUMENT });
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

  it('replaces a stale socket file and refuses to start beside a live daemon', async () => {
    const socket = join(directory, 'control.sock');
    writeFileSync(socket, '');
    server = await startControlServer(socket, backend);
    await expect(startControlServer(socket, backend)).rejects.toThrow(/another firewatch daemon is already listening/);
  });

  it('says clearly when no daemon answers', async () => {
    const client = connectControl(join(directory, 'none.sock'), 2_000);
    await expect(client.status()).rejects.toThrow(/no firewatch daemon is answering at .*none\.sock/);
    client.close();
  });
});
