// `firewatch incidents simulate` and `firewatch demo` against the real daemon: real OTLP from the OpenTelemetry JS
// SDK, through the receiver, the converters and the engine, to one incident of each built-in rule type.
//
// One daemon serves every case; each simulation uses components of its own so that none joins another's incident.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_CHECKER_SERVICE } from '../../cli/simulate/simulations.js';
import { makeWorkspace, removeWorkspace, runCli, startDaemon, type CliResult, type DaemonProcess } from '../helpers/daemon-process.js';

type Json = Record<string, any>;

/** Runs `firewatch ARGS…` as a user would (dist/cli/main.js). */
function firewatch(args: readonly string[]): Promise<CliResult> {
  return runCli(args);
}

/** Per type: the components simulated and the events expected (the built-in threshold + 2, per component). */
const CASES: readonly { type: string; components: string[]; events: number }[] = [
  { type: 'error_burst', components: ['eb-api', 'eb-worker'], events: 2 * 12 },
  { type: 'service_down', components: ['sd-auth', 'sd-api'], events: 2 * 7 },
  { type: 'quality_drop', components: ['qd-api', 'qd-worker'], events: 2 * 7 },
  { type: 'workflow_failure_spike', components: ['wf-scheduler', 'wf-runner'], events: 2 * 10 },
  { type: 'memory_exhaustion', components: ['mem-host'], events: 5 },
  { type: 'performance_degradation', components: ['pd-api', 'pd-search'], events: 2 * 12 },
  { type: 'disk_space_low', components: ['disk-host'], events: 5 },
];

describe('firewatch incidents simulate and demo', () => {
  let workspace: string;
  let daemon: DaemonProcess;

  beforeAll(async () => {
    workspace = makeWorkspace();
    daemon = await startDaemon(workspace);
  });
  afterAll(async () => {
    await daemon?.stop();
    removeWorkspace(workspace);
  });

  async function incidents(): Promise<Json[]> {
    const result = await runCli(['incidents', 'list', '--socket', daemon.socket, '--limit', '0', '--format', 'json']);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as Json[];
  }

  function touching(all: Json[], components: readonly string[]): Json[] {
    return all.filter((i) => (i.affected_components as string[]).some((c) => components.includes(c)));
  }

  it('raises exactly one incident of each of the seven built-in rule types', async () => {
    // act: the seven at once (distinct components), as JSON
    const results = await Promise.all(
      CASES.map((c) => firewatch(['incidents', 'simulate', '--type', c.type, '--components', c.components.join(','), '--format', 'json', '--socket', daemon.socket])),
    );

    // verify: each printed its incident, and nothing else on stderr (no progress note off a terminal)
    results.forEach((result, i) => {
      const { type, components, events } = CASES[i]!;
      expect({ type, code: result.code, stderr: result.stderr }).toEqual({ type, code: 0, stderr: '' });
      const incident = JSON.parse(result.stdout) as Json;
      expect(incident.incident_type).toBe(type);
      // A refused peer lists its caller too: the simulated health checker that found them down.
      const affected = type === 'service_down' ? [...components, HEALTH_CHECKER_SERVICE] : components;
      expect([...incident.affected_components].sort()).toEqual([...affected].sort());
      expect(incident.event_count).toBe(events);
      expect(incident.notes.join('\n')).toMatch(/simulated \(simulation sim-[0-9a-f]{12}/);
    });
    const all = await incidents();
    for (const { type, components } of CASES) {
      expect(touching(all, components).map((i) => i.incident_type)).toEqual([type]);
    }
  });

  it('sets the severity given with --severity once the rule has raised the incident', async () => {
    const result = await firewatch(['incidents', 'simulate', '--type', 'quality_drop', '--severity', 'critical', '--components', 'qd-sev', '--format', 'json', '--socket', daemon.socket]);
    expect(result.code).toBe(0);
    const incident = JSON.parse(result.stdout) as Json;
    expect(incident).toMatchObject({ incident_type: 'quality_drop', severity: 'critical', affected_components: ['qd-sev'] });
    expect(incident.notes.join('\n')).toContain('simulated with --severity critical');
  });

  it('prints the incident like `incidents get` after a first line naming it', async () => {
    const result = await firewatch(['incidents', 'simulate', '--type', 'service_down', '--components', 'tbl-auth', '--socket', daemon.socket]);
    expect(result.code).toBe(0);
    const [first, second] = result.stdout.split('\n');
    expect(first).toMatch(/^simulated service_down: 7 events sent → inc_\d{5}$/);
    expect(second).toMatch(/^inc_\d{5}  Service Down/);
    expect(result.stdout).toMatch(/components\s+tbl-auth/);
  });

  it('fails with exit 1 and says what it sent when too few events were asked for', async () => {
    const result = await firewatch(['incidents', 'simulate', '--type', 'error_burst', '--event-count', '2', '--components', 'eb-few', '--timeout', '2', '--socket', daemon.socket]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/warning: --event-count 2 is below the error_burst rule's threshold of 10/);
    expect(result.stderr).toMatch(/no error_burst incident appeared within 2 s after sending 2 api_error events/);
    expect(result.stderr).toContain('firewatch incidents rules show error_burst');
    expect(touching(await incidents(), ['eb-few'])).toEqual([]);
  });

  it('refuses an unknown --type with exit 2 and the usage', async () => {
    const result = await firewatch(['incidents', 'simulate', '--type', 'meteor_strike', '--socket', daemon.socket]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--type must be one of error_burst, service_down, .*; got "meteor_strike"/);
    expect(result.stderr).toMatch(/usage: firewatch incidents simulate/);
  });

  it('runs the demo: narrates, and lists the incidents it raised', async () => {
    const result = await firewatch(['demo', '--duration', '5', '--socket', daemon.socket]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/healthy: frontend → checkout → payments/);
    expect(result.stdout).toMatch(/payments' database starts failing/);
    expect(result.stdout).toMatch(/Incidents the demo raised:/);
    expect(result.stdout).toMatch(/firewatch incidents get inc_\d{5} --timeline/);
    expect(result.stdout).toMatch(/firewatch trace [0-9a-f]{32}/);
    expect(result.stdout).toMatch(/firewatch incidents watch/);
    const raised = touching(await incidents(), ['frontend', 'checkout', 'payments']);
    expect(raised.length).toBeGreaterThanOrEqual(1);
    expect(raised.map((i) => i.incident_type)).toContain('error_burst');
    // payments' memory incident opened during the burst on payments: one story, linked both ways
    const memory = raised.find((i) => i.incident_type === 'memory_exhaustion');
    const burst = raised.find((i) => i.incident_type === 'error_burst' && (i.affected_components as string[]).includes('payments'));
    expect(memory?.related_incidents).toContain(burst?.incident_id);
    expect(burst?.related_incidents).toContain(memory?.incident_id);
  });
});
