// Three daemons seen as one, as behind the Collector's load_balancing exporter (routing_key: service). The Collector
// cannot run here, so the test plays its part: each service's telemetry goes, through the real SDK, to the daemon the
// Collector would pick for it. The CLI attaches to all three with --connect and merges them.

import { SpanKind } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportCascade, exportSpans } from '../helpers/otel-sdk.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, type DaemonProcess } from '../helpers/daemon-process.js';
import { startFleetMember } from '../helpers/fleet-member.js';
import { makeTestPki } from '../helpers/tls.js';

const TOKEN = 'fleet-operator-5c7e9a1b3d5f7a9c1e3b';

type Listed = { incident_id: string; affected_components: string[]; acknowledged: boolean };

describe('a fleet of daemons', () => {
  let workspace: string;
  const daemons: DaemonProcess[] = [];

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    for (const daemon of daemons.splice(0)) await daemon.kill9();
    removeWorkspace(workspace);
  });

  it('lists, finds traces, acts on the owner and keeps going when one daemon is down', async () => {
    // prepare: three daemons, each with a remote door signed by one CA
    const pki = makeTestPki(workspace);
    for (const name of ['a', 'b', 'c']) daemons.push(await startFleetMember(workspace, name, pki, [{ name: 'oncall', role: 'operator', token: TOKEN }]));
    const connect = daemons.map((daemon) => daemon.controlEndpoint).join(',');
    const cli = (...args: string[]) => runCli([...args, '--connect', connect, '--ca', pki.caFile], { env: { FIREWATCH_TOKEN: TOKEN } });

    // act: the "Collector" routes by service: inventory → a, checkout → b (a cascade: its trace), search → c
    await exportSpans(daemons[0]!.otlpEndpoint, 'inventory', errorSpans(12));
    const [traceId] = await exportCascade(
      daemons[1]!.otlpEndpoint,
      [{ service: 'checkout', name: 'POST /checkout', kind: SpanKind.SERVER, error: 'payment failed', attributes: { 'http.response.status_code': 500 } }],
      12,
    );
    await exportSpans(daemons[2]!.otlpEndpoint, 'search', errorSpans(12));

    // verify: one list of all three, named by daemon
    const listed = await eventually(async () => {
      const result = await cli('incidents', 'list', '--format', 'json');
      const incidents = JSON.parse(result.stdout || '[]') as Listed[];
      return incidents.length === 3 ? incidents : undefined;
    }, 20_000);
    const byComponent = Object.fromEntries(listed.map((incident) => [incident.affected_components[0], incident.incident_id]));
    expect(byComponent).toEqual({ inventory: 'd1/inc_00001', checkout: 'd2/inc_00001', search: 'd3/inc_00001' });
    const table = await cli('incidents', 'list');
    expect(table.stdout).toContain('d2/inc_00001');

    // a trace is asked of all three, and found on the second
    const found = await cli('trace', traceId!, '--format', 'json');
    expect(found.code).toBe(0);
    expect(JSON.parse(found.stdout)).toMatchObject({ trace_id: traceId!, services: ['checkout'], incident_ids: ['d2/inc_00001'] });

    // an action goes to the daemon that owns the incident, and only it changes
    expect((await cli('incidents', 'acknowledge', 'd2/inc_00001')).code).toBe(0);
    const after = JSON.parse((await cli('incidents', 'list', '--format', 'json')).stdout) as Listed[];
    expect(after.filter((incident) => incident.acknowledged).map((incident) => incident.incident_id)).toEqual(['d2/inc_00001']);
    // an id that is on every daemon must say which
    const ambiguous = await cli('incidents', 'get', 'inc_00001');
    expect(ambiguous).toMatchObject({ code: 1, stderr: 'firewatch: inc_00001 is on d1 and d2 and d3: say which, e.g. d1/inc_00001\n' });

    // stats and components add up over the fleet
    expect(JSON.parse((await cli('incidents', 'stats', '--format', 'json')).stdout)).toMatchObject({ total_incidents: 3, active_incidents: 3 });
    const components = (JSON.parse((await cli('components', 'list', '--format', 'json')).stdout) as Array<{ component: string }>).map((c) => c.component);
    expect(components).toEqual(expect.arrayContaining(['inventory', 'checkout', 'search']));

    // one daemon down: the others are still listed and the missing one is named
    await daemons[2]!.kill9();
    const partial = await cli('incidents', 'list', '--format', 'json');
    expect(partial.code).toBe(0);
    expect((JSON.parse(partial.stdout) as Listed[]).map((incident) => incident.incident_id).sort()).toEqual(['d1/inc_00001', 'd2/inc_00001']);
    expect(partial.stderr).toMatch(new RegExp(`^firewatch: d3 \\(${daemons[2]!.controlEndpoint.replace(/\./g, '\\.')}\\) left out: no firewatch daemon is answering`));
  }, 120_000);
});
