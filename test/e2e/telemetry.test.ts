// firewatch's own telemetry, scraped as Prometheus would: the daemon's /metrics parsed by a strict parser of the text
// format, counters moving with real OTLP traffic, and the health and readiness probes.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleValue, scrapeMetrics } from '../helpers/metrics-scrape.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, removeWorkspace, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';

describe('self-telemetry: /metrics, /healthz, /readyz', () => {
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

  it('exposes valid Prometheus text whose counters move with traffic', async () => {
    daemon = await startDaemon(workspace);
    const endpoint = daemon.metricsEndpoint;
    expect(endpoint).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await (await fetch(`http://${endpoint}/healthz`)).text()).toBe('ok');
    const readyz = await fetch(`http://${endpoint}/readyz`);
    expect(readyz.status).toBe(200);

    const before = await scrapeMetrics(endpoint);
    expect(sampleValue(before, 'firewatch_receiver_items_total', { signal: 'traces' })).toBe(0);
    for (const family of ['firewatch_incidents', 'firewatch_detection_latency_seconds', 'firewatch_notifications_pending', 'firewatch_lmdb_size_bytes', 'process_resident_memory_bytes']) {
      expect(before.has(family), family).toBe(true);
    }

    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    const after = await eventually(async () => {
      const families = await scrapeMetrics(endpoint);
      return sampleValue(families, 'firewatch_incidents_opened_total') === 1 ? families : undefined;
    });
    expect(sampleValue(after, 'firewatch_receiver_items_total', { signal: 'traces' })).toBe(12);
    expect(sampleValue(after, 'firewatch_events_total', { signal: 'traces' })).toBe(12);
    expect(after.get('firewatch_detection_latency_seconds')!.type).toBe('histogram');
    expect(sampleValue(after, 'firewatch_detection_latency_seconds', {}, 'firewatch_detection_latency_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(sampleValue(after, 'firewatch_lmdb_size_bytes')).toBeGreaterThan(0);
    const open = after.get('firewatch_incidents')!.samples.filter((s) => s.value > 0);
    expect(open).toEqual([expect.objectContaining({ labels: expect.objectContaining({ severity: 'critical' }), value: 1 })]);

    const notFound = await fetch(`http://${endpoint}/nothing`);
    expect(notFound.status).toBe(404);
    const post = await fetch(`http://${endpoint}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('can be turned off', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace, 'service:\n  telemetry:\n    metrics:\n      level: none'));
    expect(daemon.metricsEndpoint).toBe('');
  });
});
