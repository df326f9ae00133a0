// The response workflow end to end, as an on-call engineer lives it: real error spans through the OpenTelemetry SDK,
// the real daemon running real remediation commands, and every step taken through the CLI.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import {
  eventually,
  makeWorkspace,
  removeWorkspace,
  runCli,
  startDaemon,
  writeConfig,
  type CliResult,
  type DaemonProcess,
} from '../helpers/daemon-process.js';

type Json = Record<string, unknown>;

/** A remediation "command": appends its argv (after the script) and FIREWATCH_* environment to a JSON-lines file. */
const RECORDER = `
import { appendFileSync } from 'node:fs';
const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => key.startsWith('FIREWATCH_')));
appendFileSync(process.env.RECORD_FILE, JSON.stringify({ argv: process.argv.slice(2), env }) + '\\n');
`;

function records(file: string): Array<{ argv: string[]; env: Record<string, string> }> {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { argv: string[]; env: Record<string, string> });
}

describe('response workflow through the CLI', () => {
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

  const cli = (...args: string[]): Promise<CliResult> =>
    runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });
  const getJson = async (id: string, ...flags: string[]): Promise<Json> => {
    const result = await cli('incidents', 'get', id, '--format', 'json', ...flags);
    expect(result.stderr).toBe('');
    return JSON.parse(result.stdout) as Json;
  };

  it('detects, contains with a safe action, gates a risky one on approval, resolves itself, refuses what it must', async () => {
    // prepare: fast windows so recovery happens within the test; two actions that record how they were run
    const script = join(workspace, 'record.mjs');
    const recordFile = join(workspace, 'runs.jsonl');
    writeFileSync(script, RECORDER);
    const node = JSON.stringify(process.execPath);
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'processors:',
          '  detect:',
          '    rules:',
          '      error_burst: { time_window_seconds: 8, check_interval_seconds: 1 }',
          '  workflow:',
          '    recovery_quiet_period_seconds: 4',
          'remediation:',
          '  approvers: { medium: [alice] }',
          '  actions:',
          `    - { id: clear_cache, command: [${node}, ${JSON.stringify(script)}, clear, "--service={{primary_source}}", "{{title}}"], env: { RECORD_FILE: ${JSON.stringify(recordFile)} } }`,
          `    - { id: restart_service, command: [${node}, ${JSON.stringify(script)}, restart, "{{incident_id}}"], env: { RECORD_FILE: ${JSON.stringify(recordFile)} } }`,
          '  runbooks:',
          '    error_burst: { steps: ["Check the last deploy", "Roll back if it correlates"], links: [ { title: Dashboard, url: "https://grafana.example.com/d/checkout" } ] }',
        ].join('\n'),
      ),
    );

    // act: an error burst from the checkout service, through the real SDK exporter
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: detected → assessing → containing (clear_cache ran by itself) → investigating
    const contained = await eventually(async () => {
      const incident = await getJson('inc_00001');
      return incident.status === 'investigating' ? incident : undefined;
    });
    expect((contained.status_history as Json[]).map((change) => change.to)).toEqual(['detected', 'assessing', 'containing', 'investigating']);
    expect(contained.actions).toEqual([
      expect.objectContaining({ action_id: 'clear_cache', status: 'succeeded', approved_by: null }),
      expect.objectContaining({ action_id: 'restart_service', status: 'approval_requested' }),
    ]);
    const [clear] = records(recordFile);
    expect(clear!.argv).toEqual(['clear', '--service=checkout', String(contained.title)]);
    expect(clear!.env).toMatchObject({
      FIREWATCH_INCIDENT_ID: 'inc_00001',
      FIREWATCH_INCIDENT_TYPE: 'error_burst',
      FIREWATCH_PRIMARY_SOURCE: 'checkout',
      FIREWATCH_AFFECTED_COMPONENTS: 'checkout',
    });

    // the risky action waits for a named, allowed approver
    const listing = await cli('incidents', 'mitigate', 'inc_00001', '--list-actions', '--format', 'json');
    expect(JSON.parse(listing.stdout).actions).toContainEqual(
      expect.objectContaining({ action_id: 'restart_service', risk: 'medium', recommended: true, approvers: ['alice'] }),
    );
    const unapproved = await cli('incidents', 'mitigate', 'inc_00001', '--action', 'restart_service');
    expect(unapproved.code).toBe(1);
    expect(unapproved.stderr).toMatch(/restart_service is medium risk: it needs --approved-by NAME/);
    const wrongApprover = await cli('incidents', 'mitigate', 'inc_00001', '--action', 'restart_service', '--approved-by', 'mallory');
    expect(wrongApprover.code).toBe(1);
    expect(wrongApprover.stderr).toMatch(/alice/);
    const dryRun = await cli('incidents', 'mitigate', 'inc_00001', '--action', 'restart_service', '--approved-by', 'alice', '--dry-run');
    expect(dryRun.code).toBe(0);
    expect(dryRun.stdout).toContain('restart inc_00001');
    expect(records(recordFile)).toHaveLength(1); // the refusals and the dry run ran nothing

    const approved = await cli('incidents', 'mitigate', 'inc_00001', '--action', 'restart_service', '--approved-by', 'alice');
    expect(approved.stderr).toBe('');
    expect(approved.code).toBe(0);
    expect(approved.stdout).toMatch(/restart_service succeeded \(approved by alice\)/);
    expect(records(recordFile)[1]!.argv).toEqual(['restart', 'inc_00001']);

    // acknowledgement and assignment are orthogonal to the status; close is refused while unresolved
    expect((await cli('incidents', 'acknowledge', 'inc_00001', '--as', 'bob')).code).toBe(0);
    expect((await cli('incidents', 'assign', 'inc_00001', 'john.doe')).code).toBe(0);
    const early = await cli('incidents', 'close', 'inc_00001');
    expect(early.code).toBe(1);
    // on a loaded machine the 4 s quiet period may already have passed: recovering is unresolved too
    expect(early.stderr).toMatch(
      /^firewatch: inc_00001 is (remediating|recovering): only a resolved incident can be closed \(resolve it first: firewatch incidents resolve inc_00001\)\n$/,
    );
    const unresolved = await getJson('inc_00001');
    expect(unresolved).toMatchObject({ status: expect.stringMatching(/^(remediating|recovering)$/), acknowledged: true, acknowledged_by: 'bob', assigned_to: 'john.doe' });

    // no more errors: recovering once the window is quiet, then resolved by the exit criteria
    const resolved = await eventually(async () => {
      const incident = await getJson('inc_00001');
      return incident.status === 'resolved' ? incident : undefined;
    }, 20_000);
    expect(resolved).toMatchObject({ auto_resolved: true, acknowledged: false, acknowledged_by: 'bob' });
    expect((resolved.status_history as Json[]).slice(-2).map((change) => [change.from, change.to, change.by])).toEqual([
      ['remediating', 'recovering', 'firewatch'],
      ['recovering', 'resolved', 'firewatch'],
    ]);
    expect(Number(resolved.mttr)).toBeGreaterThan(0);

    const reopen = await cli('incidents', 'update', 'inc_00001', '--status', 'investigating');
    expect(reopen.code).toBe(1);
    expect(reopen.stderr).toContain('a resolved incident can only be closed');
    const closed = await cli('incidents', 'close', 'inc_00001', '--format', 'json');
    expect(closed.code).toBe(0);
    expect(JSON.parse(closed.stdout)).toMatchObject({ status: 'closed', closed_at: expect.any(String) });
    expect((await cli('incidents', 'close', 'inc_00001')).stderr).toBe('firewatch: inc_00001 is already closed\n');

    // the record: audit log with the approval, the timeline, the post-mortem
    const full = await getJson('inc_00001', '--full');
    const audit = full.audit as Json[];
    expect(audit.map((entry) => `${String(entry.action_id)} ${String(entry.kind)}`)).toEqual(
      expect.arrayContaining(['clear_cache succeeded', 'restart_service approval_requested', 'restart_service refused', 'restart_service dry_run', 'restart_service approved', 'restart_service succeeded']),
    );
    expect(audit.find((entry) => entry.kind === 'approved')).toMatchObject({ actor: 'ann', approved_by: 'alice' });
    expect(full.runbook).toEqual({ steps: ['Check the last deploy', 'Roll back if it correlates'], links: [{ title: 'Dashboard', url: 'https://grafana.example.com/d/checkout' }] });

    const timeline = await cli('incidents', 'timeline', 'inc_00001', '--event-type', 'error');
    expect(timeline.code).toBe(0);
    expect(timeline.stdout).toMatch(/\[HIGH\] +checkout: /);
    expect(timeline.stdout).toMatch(/\[STATUS\] +firewatch: recovering → resolved/);
    expect(timeline.stdout).toMatch(/\[ACTION\] +ann: restart_service approved \(approved by alice\)/);

    const output = join(workspace, 'postmortem.md');
    const written = await cli('incidents', 'postmortem', 'inc_00001', '--output', output);
    expect(written.code).toBe(0);
    const markdown = readFileSync(output, 'utf8');
    expect(markdown).toMatch(/^# Incident Post-Mortem: inc_00001\n/);
    for (const section of ['## Summary', '## Impact', '## Timeline', '## Root Cause', '## Resolution', '## Remediation Actions', '## Follow-Up Items', '## Runbook', '## Metrics', '## Generated At']) {
      expect(markdown).toContain(section);
    }
    expect(markdown).toMatch(/\| restart_service \| Success \|/);
    expect(markdown).toContain('- **Total Events**: 12');
  });

  it('runs a custom safe action configured for the type by itself, ahead of the built-ins without effect', async () => {
    // prepare: an action the file adds (no recommendations table), recording how it was run
    const script = join(workspace, 'record.mjs');
    const recordFile = join(workspace, 'runs.jsonl');
    writeFileSync(script, RECORDER);
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'remediation:',
          '  actions:',
          `    - { id: my_action, risk: safe, applies_to: [error_burst], command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}, mine], env: { RECORD_FILE: ${JSON.stringify(recordFile)} } }`,
        ].join('\n'),
      ),
    );

    // act: an error burst through the real SDK exporter
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: the command ran with the incident in its environment, first, and the audit says so
    const contained = await eventually(async () => {
      const incident = await getJson('inc_00001');
      return incident.status === 'investigating' ? incident : undefined;
    });
    expect((contained.actions as Json[]).map((action) => `${String(action.action_id)} ${String(action.status)}`)).toEqual([
      'my_action succeeded',
      'clear_cache skipped',
      'restart_service skipped',
    ]);
    expect(records(recordFile)).toEqual([
      {
        argv: ['mine'],
        env: expect.objectContaining({ FIREWATCH_INCIDENT_ID: 'inc_00001', FIREWATCH_INCIDENT_TYPE: 'error_burst', FIREWATCH_PRIMARY_SOURCE: 'checkout' }),
      },
    ]);
    const audit = (await getJson('inc_00001', '--full')).audit as Json[];
    expect(audit.filter((entry) => entry.action_id === 'my_action').map((entry) => entry.kind)).toEqual(['recommended', 'started', 'succeeded']);
  });

  it('an approval request that expires unanswered is recorded on the incident, so no front end counts it as waiting', async () => {
    // prepare: a medium-risk action with an effect (so containment files an approval request) and a short TTL
    const script = join(workspace, 'record.mjs');
    writeFileSync(script, RECORDER);
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'processors:',
          '  detect:',
          '    rules:',
          '      error_burst: { check_interval_seconds: 1 }',
          'remediation:',
          '  approval_ttl_seconds: 2',
          '  actions:',
          `    - { id: restart_service, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}, restart], env: { RECORD_FILE: ${JSON.stringify(join(workspace, 'runs.jsonl'))} } }`,
        ].join('\n'),
      ),
    );

    // act: an error burst through the real SDK exporter; containment asks for approval, nobody answers
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: the request's expiry is the action's latest step on the incident (and in the audit)
    const expired = await eventually(async () => {
      const incident = await getJson('inc_00001');
      const steps = (incident.actions as Json[]).filter((action) => action.action_id === 'restart_service').map((action) => action.status);
      return steps.at(-1) === 'expired' ? steps : undefined;
    });
    expect(expired).toEqual(['approval_requested', 'expired']);
    const audit = (await getJson('inc_00001', '--full')).audit as Json[];
    expect(audit.filter((entry) => entry.action_id === 'restart_service').map((entry) => entry.kind)).toContain('expired');
  });

  it('an incident whose containment a kill -9 cut short moves on to investigating after the restart', async () => {
    // prepare: a safe action that takes far longer than the test
    const config = writeConfig(
      workspace,
      ['remediation:', '  actions:', '    - { id: scale_up, command: [/bin/sleep, "30"], timeout_seconds: 60 }'].join('\n'),
    );
    daemon = await startDaemon(workspace, config);
    expect((await cli('incidents', 'create', '--type', 'memory_exhaustion', '--components', 'worker')).code).toBe(0);
    await eventually(async () => ((await getJson('inc_00001')).status === 'containing' ? true : undefined));

    // act
    await daemon.kill9();
    daemon = await startDaemon(workspace, config);

    // verify: not stuck, and the engine and the store agree
    const resumed = await eventually(async () => {
      const incident = await getJson('inc_00001');
      return incident.status === 'investigating' ? incident : undefined;
    });
    expect((resumed.status_history as Json[]).at(-1)).toMatchObject({
      from: 'containing',
      to: 'investigating',
      by: 'firewatch',
      reason: 'containment was interrupted by a restart (see the audit log)',
    });
    const listed = await cli('incidents', 'list', '--status', 'active', '--format', 'json');
    expect(JSON.parse(listed.stdout)[0]).toMatchObject({ incident_id: 'inc_00001', status: 'investigating' });
  });

  it('creates incidents by hand with the seed flags and refuses bad input with exit 2 or 1', async () => {
    daemon = await startDaemon(workspace);
    const created = await cli(
      'incidents', 'create', '--type', 'service_down', '--severity', 'CRITICAL', '--title', 'API Service Down',
      '--description', 'API service not responding', '--components', 'api,worker,database', '--format', 'json',
    );
    expect(created.stderr).toBe('');
    expect(JSON.parse(created.stdout)).toMatchObject({
      incident_id: 'inc_00001',
      incident_type: 'service_down',
      severity: 'critical',
      title: 'API Service Down',
      affected_components: ['api', 'worker', 'database'],
    });
    const updated = await cli('incidents', 'update', 'inc_00001', '--severity', 'high', '--notes', 'Investigating database issues', '--format', 'json');
    expect(JSON.parse(updated.stdout)).toMatchObject({ severity: 'high', notes: [expect.stringMatching(/ann: severity critical → high$/), expect.stringMatching(/ann: Investigating database issues$/)] });

    const badFlag = await cli('incidents', 'create', '--type', 'volcano');
    expect(badFlag.code).toBe(2);
    expect(badFlag.stderr).toMatch(/--type must be one of/);
    const nothing = await cli('incidents', 'update', 'inc_00001');
    expect(nothing.code).toBe(2);
    const missing = await cli('incidents', 'resolve', 'inc_00404');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('firewatch: incident inc_00404 not found\n');

    const resolved = await cli('incidents', 'resolve', 'inc_00001', '--notes', 'Fixed by restarting database service', '--format', 'json');
    expect(JSON.parse(resolved.stdout)).toMatchObject({ status: 'resolved', auto_resolved: false, resolution: 'ann: Fixed by restarting database service' });
    const postmortem = await cli('incidents', 'postmortem', 'inc_00001');
    expect(postmortem.stdout).toContain('Fixed by restarting database service');
  });
});
