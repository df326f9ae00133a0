// Related incidents end to end, as in the demo: payments fails requests (an error burst, spans from the real SDK),
// then its memory crosses 90 % (a memory incident, metrics from the real SDK). The second incident opens on a
// component that already has an open one: each lists the other under related_incidents, with a line in each
// timeline, and the post-mortem names them.

import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

describe('related incidents', () => {
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

  const json = async (...args: string[]): Promise<any> => {
    const result = await runCli([...args, '--socket', daemon!.socket, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('links a memory incident on payments with the error burst already open there, both ways', async () => {
    // prepare: payments' error burst
    daemon = await startDaemon(workspace, writeConfig(workspace));
    await exportSpans(daemon.otlpEndpoint, 'payments', errorSpans(12));
    const [burst] = await eventually(async () => {
      const found = await json('incidents', 'list', '--component', 'payments');
      return found.length === 1 ? found : undefined;
    }, 15_000);
    expect(burst).toMatchObject({ incident_type: 'error_burst', related_incidents: [] });

    // act: payments' memory crosses 90 %, three readings
    const reader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `http://${daemon.otlpEndpoint}` }), exportIntervalMillis: 3_600_000 });
    const provider = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'payments' }), readers: [reader] });
    provider.getMeter('e2e').createObservableGauge('system.memory.utilization').addCallback((result) => {
      result.observe(0.95, { 'system.memory.state': 'used' });
      result.observe(0.05, { 'system.memory.state': 'free' });
    });
    for (let i = 0; i < 3; i++) await reader.forceFlush();
    await provider.shutdown();

    // verify: both ways, with a line in each timeline
    const memory = await eventually(async () => {
      const found = (await json('incidents', 'list', '--component', 'payments')).find((incident: any) => incident.incident_type === 'memory_exhaustion');
      return found;
    }, 15_000);
    expect(memory.related_incidents).toEqual([burst.incident_id]);
    const burstAfter = await json('incidents', 'get', burst.incident_id);
    expect(burstAfter.related_incidents).toEqual([memory.incident_id]);
    expect(memory.notes.join('\n')).toContain(`related: ${burst.incident_id} (error_burst) was already open on payments`);
    expect(burstAfter.notes.join('\n')).toContain(`related: ${memory.incident_id} (memory_exhaustion) opened on payments while this was open`);
    const timeline = await json('incidents', 'timeline', burst.incident_id);
    expect(JSON.stringify(timeline)).toContain(`related: ${memory.incident_id}`);
    const detail = await runCli(['incidents', 'get', memory.incident_id, '--socket', daemon.socket]);
    expect(detail.stdout).toMatch(new RegExp(`related\\s+${burst.incident_id}`));

    // and the post-mortem (a draft while open) names the related incident
    const postmortem = await runCli(['incidents', 'postmortem', memory.incident_id, '--socket', daemon.socket]);
    expect(postmortem.stdout).toContain(`**Related Incidents**: ${burst.incident_id}`);
  });
});
