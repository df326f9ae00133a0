// Telemetry as real deployments send it (issue 12), end to end: the real SDK's exporters into the real daemon. The
// labelled corpus (corpus.test.ts) scores the incidents; these tests look at what the scores do not: the counters,
// the configuration, the components and the JSON.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectControl } from '../../control/client.js';
import { sampleValue, scrapeMetrics } from '../helpers/metrics-scrape.js';
import { dbCall, httpServer, requests, sendGauges, sendLogs, sendSpans } from '../corpus/telemetry.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

type Json = Record<string, any>;

async function incidents(daemon: DaemonProcess): Promise<Json[]> {
  const result = await runCli(['incidents', 'list', '--socket', daemon.socket, '--format', 'json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout) as Json[];
}

describe('messy telemetry, end to end', () => {
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

  it('counts retried exports once, says how many repeats it dropped, and still does after kill -9', async () => {
    // prepare
    const configFile = writeConfig(workspace);
    daemon = await startDaemon(workspace, configFile);
    const origin = Date.now() - 3_000;
    const spans = await requests(origin, 12, 100, () => httpServer('checkout', '/api/orders', 500, [], 'upstream timed out'));

    // act: every export sent twice, as an exporter does when an acknowledgement is lost
    await sendSpans(daemon.otlpEndpoint, spans, { sends: 2 });
    await sendLogs(daemon.otlpEndpoint, 'ledger', origin, Array.from({ length: 6 }, (_, i) => ({ body: `posting ${i} failed`, at: i * 100 })), { sends: 2 });
    await sendGauges(daemon.otlpEndpoint, { 'service.name': 'cache-host' }, [{ name: 'system.memory.utilization', points: [{ value: 0.94, attributes: { 'system.memory.state': 'used' } }] }], 2, 2);

    // verify
    const [checkout, ...others] = await incidents(daemon);
    expect(others).toEqual([]); // 6 log errors are not 10; 2 memory points are not 3
    expect(checkout).toMatchObject({ incident_type: 'error_burst', affected_components: ['checkout'], event_count: 12 });
    const families = await scrapeMetrics(daemon.metricsEndpoint);
    expect(sampleValue(families, 'firewatch_duplicates_dropped_total', { signal: 'traces' })).toBe(12);
    expect(sampleValue(families, 'firewatch_duplicates_dropped_total', { signal: 'logs' })).toBe(6);
    expect(sampleValue(families, 'firewatch_duplicates_dropped_total', { signal: 'metrics' })).toBe(2);
    const control = connectControl(daemon.socket);
    try {
      expect(await control.status()).toMatchObject({ spans_received: 24, events_accepted: 12 + 6 + 2 });
    } finally {
      control.close();
    }

    // act: the daemon dies; the exporter, never having seen an answer, sends the batch again to the new one
    await daemon.kill9();
    daemon = await startDaemon(workspace, configFile);
    await sendSpans(daemon.otlpEndpoint, spans);

    // verify: recognised from the stored events the restart reloaded
    const [after] = await incidents(daemon);
    expect(after).toMatchObject({ incident_id: checkout!.incident_id, event_count: 12 });
    expect(sampleValue(await scrapeMetrics(daemon.metricsEndpoint), 'firewatch_duplicates_dropped_total', { signal: 'traces' })).toBe(12);
  });

  it('makes one incident of a database failing under three callers, placed at the database, listing the callers', async () => {
    // prepare
    daemon = await startDaemon(workspace);
    const origin = Date.now() - 3_000;
    const pg = { host: 'pg-main.db.internal', port: 5432, peerService: 'pg-main' };
    const callers = ['checkout', 'billing', 'inventory'];

    // act: each service exports its own spans, as separate processes do
    for (const [i, service] of callers.entries()) {
      const spans = await requests(origin + i * 20, 12, 100, () => httpServer(service, '/api/orders', 500, [dbCall(service, pg, 'connection timed out after 5000 ms')]));
      await sendSpans(daemon.otlpEndpoint, spans);
    }

    // verify
    const all = await incidents(daemon);
    expect(all).toHaveLength(1);
    const incident = all[0]!;
    expect([...incident.affected_components].sort()).toEqual([...callers, 'pg-main'].sort());
    expect(incident.root_cause).toMatchObject({ primary_source: 'pg-main', primary_error_type: 'database_connection_error' });
    expect(incident.root_cause.root_span).toMatchObject({ service: 'pg-main', peer: 'pg-main', caller: 'checkout', span_name: 'SELECT orders' });
    expect(incident.title).toMatch(/^Error Burst - pg-main - /);
    expect(incident.notes).toContain('shared dependency: calls to pg-main fail under checkout, billing; placed at pg-main');
    const byCaller = await runCli(['incidents', 'list', '--component', 'inventory', '--socket', daemon.socket, '--format', 'json']);
    expect((JSON.parse(byCaller.stdout) as Json[]).map((i) => i.incident_id)).toEqual([incident.incident_id]);
  });

  it('reports no full disk for read-only mounts and the filesystem types configured, and does for a writable disk', async () => {
    // prepare: NFS shares reported full by a storage appliance are someone else's problem here
    daemon = await startDaemon(
      workspace,
      writeConfig(workspace, ['processors:', '  convert:', '    metrics:', '      ignore_filesystems: { types: [nfs4] }'].join('\n')),
    );
    const full = (device: string, type: string, mode: string, value = 1) => ({ value, attributes: { device, mountpoint: `/mnt/${device}`, type, mode } });

    // act: hostmetrics' filesystem scraper, three collections
    await sendGauges(
      daemon.otlpEndpoint,
      { 'service.name': 'files-1', 'host.name': 'files-1' },
      [{ name: 'system.filesystem.utilization', points: [full('loop0', 'squashfs', 'ro'), full('share', 'nfs4', 'rw'), full('sda2', 'ext4', 'rw', 0.97)] }],
      3,
    );

    // verify: the snap by its read-only mode (the modes kept their default), the share by the configured type
    const [disk, ...others] = await incidents(daemon);
    expect(others).toEqual([]);
    expect(disk).toMatchObject({ incident_type: 'disk_space_low', severity: 'critical', affected_components: ['files-1'], event_count: 3 });
    const detail = await runCli(['incidents', 'get', disk!.incident_id, '--timeline', '--socket', daemon.socket, '--format', 'json']);
    const timeline = (JSON.parse(detail.stdout) as Json).timeline as Json[];
    expect(new Set(timeline.map((event) => event.metadata.device))).toEqual(new Set(['sda2']));
  });
});
