import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from './client.js';
import type { JsonObject } from './messages.js';
import { startControlServer, type ControlBackend, type ControlServer } from './server.js';

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
};

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
  getIncident: (id, timeline) => (id === 'inc_00001' ? { ...incidentJson, ...(timeline ? { timeline: [eventJson] } : {}) } : undefined),
  getTrace: () => undefined,
  listRules: () => [],
  getRule: () => undefined,
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
      await expect(client.getIncident('inc_404')).rejects.toThrow('incident inc_404 not found');
      await expect(client.listIncidents({ since: 'yesterday' })).rejects.toThrow('since: not an ISO-8601 time');
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
