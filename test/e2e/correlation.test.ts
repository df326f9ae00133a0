// Trace-aware correlation end to end: a failure that ripples through frontend → checkout → payments, sent by three
// separate SDK pipelines in any order, is one incident whose root cause is payments; drill-down by trace works,
// also after kill -9.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportCascade, exportSpans, type CascadeHop } from '../helpers/otel-sdk.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, type DaemonProcess } from '../helpers/daemon-process.js';

type Json = Record<string, any>;

const CASCADE: CascadeHop[] = [
  { service: 'frontend', name: 'GET /checkout', error: 'checkout returned 502', attributes: { 'http.response.status_code': 502, 'enduser.id': 'u-1' } },
  { service: 'checkout', name: 'POST /api/pay', error: 'payments returned 500', attributes: { 'http.response.status_code': 500 } },
  {
    service: 'payments',
    name: 'charge card',
    error: 'card gateway timed out',
    attributes: { 'http.response.status_code': 500, 'payment.provider': 'acme-cards', 'retry.count': 2, 'card.checks': ['cvv', 'avs'] },
  },
];

/** What GetTrace shows of the payments span's attributes: scalars as text, the array counted as not kept. */
const PAYMENTS_ATTRIBUTES = {
  attributes: [
    { key: 'http.response.status_code', value: '500' },
    { key: 'payment.provider', value: 'acme-cards' },
    { key: 'retry.count', value: '2' },
  ],
  attributes_dropped: 1,
};

async function cli(daemon: DaemonProcess, ...args: string[]): Promise<any> {
  const result = await runCli([...args, '--socket', daemon.socket, '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout);
}

describe('trace-aware correlation', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    removeWorkspace(workspace);
  });

  it.each([
    ['edge first', ['frontend', 'checkout', 'payments']],
    ['root cause first', ['payments', 'checkout', 'frontend']],
    ['middle first', ['checkout', 'frontend', 'payments']],
  ])('a cascade through three services is one incident rooted in payments (%s)', async (_name, order) => {
    daemon = await startDaemon(workspace);
    const traceIds = await exportCascade(daemon.otlpEndpoint, CASCADE, 12, order);

    const incidents = (await cli(daemon, 'incidents', 'list')) as Json[];
    expect(incidents).toHaveLength(1);
    const incident = incidents[0]!;
    expect(incident.incident_type).toBe('error_burst');
    expect([...incident.affected_components].sort()).toEqual(['checkout', 'frontend', 'payments']);
    expect(incident.event_count).toBe(36);
    expect(incident.root_cause.primary_source).toBe('payments');
    expect(incident.root_cause.root_span).toMatchObject({ service: 'payments', span_name: 'charge card', status_message: 'card gateway timed out' });
    expect(traceIds).toContain(incident.root_cause.root_span.trace_id);
    expect(incident.users_affected).toBe(1);

    const drill = (await cli(daemon, 'trace', traceIds[0]!)) as Json;
    expect(drill.spans.map((s: Json) => [s.service, s.depth])).toEqual([['frontend', 0], ['checkout', 1], ['payments', 2]]);
    expect(drill.spans[2]).toMatchObject(PAYMENTS_ATTRIBUTES);
    expect(drill.spans[0]).toMatchObject({ attributes: [{ key: 'http.response.status_code', value: '502' }, { key: 'enduser.id', value: 'u-1' }], attributes_dropped: 0 });
    const detail = await runCli(['incidents', 'get', incident.incident_id, '--socket', daemon.socket]);
    expect(detail.stdout).toMatch(/root span\s+payments "charge card" — card gateway timed out/);
    expect(detail.stdout).toMatch(/users\s+1 affected/);
    expect(drill.incident_ids).toEqual([incident.incident_id]);
    expect(drill.events).toHaveLength(3);
  });

  it('keeps two unrelated failures apart', async () => {
    daemon = await startDaemon(workspace);
    await Promise.all([exportSpans(daemon.otlpEndpoint, 'search', errorSpans(10)), exportSpans(daemon.otlpEndpoint, 'billing', errorSpans(10))]);
    const incidents = (await cli(daemon, 'incidents', 'list')) as Json[];
    expect(incidents.map((i) => i.affected_components).sort()).toEqual([['billing'], ['search']]);
  });

  it('keeps the spans of an incident\'s traces for drill-down after kill -9', async () => {
    daemon = await startDaemon(workspace);
    const traceIds = await exportCascade(daemon.otlpEndpoint, CASCADE, 10);
    await daemon.kill9();
    daemon = await startDaemon(workspace, daemon.configFile);
    const drill = (await cli(daemon, 'trace', traceIds[3]!)) as Json;
    expect(drill.spans).toHaveLength(3);
    expect(drill.spans[2]).toMatchObject({ service: 'payments', name: 'charge card', failed: true, status: 'error', depth: 2 });
    // Persisted with the span when its trace joined the incident: the ring started empty after the restart.
    expect(drill.spans[2]).toMatchObject(PAYMENTS_ATTRIBUTES);

    const table = await runCli(['trace', traceIds[3]!, '--socket', daemon.socket]);
    expect(table.stdout).toContain('└─ ✗ payments  charge card');
    const unknown = await runCli(['trace', 'ab'.repeat(16), '--socket', daemon.socket]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('not found');
  });
});
