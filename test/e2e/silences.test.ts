// Silences end to end: the real daemon fed by the real OpenTelemetry SDK, notifying real HTTP receivers standing in
// for Slack and a webhook endpoint. A silence holds the notifications of an incident that opens under it (the
// incident still opens, marked silenced_by); expiring the silence sends them.

import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../../daemon/prometheus-text.js';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

describe('silences', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  const receivers: Receiver[] = [];

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    for (const receiver of receivers.splice(0)) await receiver.close();
    removeWorkspace(workspace);
  });

  async function receiver(): Promise<[Receiver, string]> {
    const created = new Receiver();
    receivers.push(created);
    return [created, await created.start()];
  }

  const cli = (...args: string[]) => runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });
  const json = async (...args: string[]): Promise<any> => {
    const result = await cli(...args, '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };
  const metric = async (name: string): Promise<number> => {
    const families = parsePrometheusText(await (await fetch(`http://${daemon!.metricsEndpoint}/metrics`)).text());
    return families.get(name)?.samples[0]?.value ?? Number.NaN;
  };

  it('holds the notifications of an incident that opens under a silence, and sends them when it is expired', async () => {
    // prepare: Slack and a webhook, both answering
    const [slack, slackUrl] = await receiver();
    const [webhook, webhookUrl] = await receiver();
    daemon = await startDaemon(
      workspace,
      writeConfig(workspace, ['exporters:', `  slack: { webhook_url: "${slackUrl}/services/T0/B0/X" }`, `  webhook: [ { name: ops, url: "${webhookUrl}/hook" } ]`].join('\n')),
    );
    const created = await cli('silences', 'create', '--component', 'checkout', '--duration', '2h', '--comment', 'CHG-42 database upgrade');
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^sil_00001: checkout \(any type\) silenced until .* by ann/);

    // act: an error burst on the silenced component, sent by the real SDK
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: the incident opened, held by the silence; nobody was told
    const incident = await eventually(async () => {
      const [found] = await json('incidents', 'list', '--component', 'checkout');
      return found !== undefined && found.status !== 'detected' ? found : undefined;
    }, 15_000);
    expect(incident).toMatchObject({ incident_type: 'error_burst', silenced_by: 'sil_00001' });
    const detail = await cli('incidents', 'get', incident.incident_id);
    expect(detail.stdout).toMatch(/silenced by\s+sil_00001: not notified, no automatic action/);
    expect(await json('silences', 'list')).toEqual([
      expect.objectContaining({ silence_id: 'sil_00001', component: 'checkout', incident_type: null, created_by: 'ann', comment: 'CHG-42 database upgrade', active: true }),
    ]);
    expect(await metric('firewatch_silences_active')).toBe(1);
    expect(await metric('firewatch_notifications_silenced_total')).toBeGreaterThanOrEqual(2); // triggered, on both channels
    // Deliveries would take milliseconds; give them a full second to (not) happen.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(slack.requests).toHaveLength(0);
    expect(webhook.requests).toHaveLength(0);
    expect(await json('notifications', 'list')).toEqual([]);

    // act: the maintenance is over early
    const expired = await cli('silences', 'expire', 'sil_00001', '--as', 'bob');
    expect(expired.code, expired.stderr).toBe(0);
    expect(expired.stdout).toContain('sil_00001 expired by bob');

    // verify: the incident, still open, is announced on both channels, once
    await eventually(async () => (slack.requests.length === 1 && webhook.requests.length === 1 ? true : undefined), 10_000);
    expect(String(slack.json()[0]!.text)).toContain(incident.incident_id);
    expect(webhook.json()[0]).toMatchObject({ type: 'incident.triggered', data: { incident_id: incident.incident_id, silenced_by: null } });
    const after = await json('incidents', 'get', incident.incident_id);
    expect(after.silenced_by).toBeNull();
    expect(after.notes.join('\n')).toMatch(/silenced by sil_00001 until .* \(ann\): CHG-42 database upgrade/);
    expect(after.notes.join('\n')).toContain('silence sil_00001 expired by bob');
    expect(await json('silences', 'list')).toEqual([]);
    expect(await json('silences', 'list', '--all')).toEqual([expect.objectContaining({ silence_id: 'sil_00001', expired_by: 'bob', active: false })]);
    expect(await metric('firewatch_silences_active')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(slack.requests).toHaveLength(1);
  });

  it('announces an incident still open when its silence ends by itself', async () => {
    // prepare: a short silence on one type only
    const [webhook, webhookUrl] = await receiver();
    daemon = await startDaemon(workspace, writeConfig(workspace, ['exporters:', `  webhook: [ { name: ops, url: "${webhookUrl}/hook" } ]`].join('\n')));
    const created = await cli('silences', 'create', '--component', 'checkout', '--type', 'error_burst', '--duration', '4s', '--comment', 'canary');
    expect(created.code, created.stderr).toBe(0);

    // act: a burst while it holds
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    const incident = await eventually(async () => {
      const [found] = await json('incidents', 'list', '--component', 'checkout');
      return found?.silenced_by === 'sil_00001' ? found : undefined;
    }, 15_000);
    expect(webhook.requests).toHaveLength(0);

    // verify: after the end (4 s, then at most one daemon tick), the open incident is announced once
    await eventually(async () => (webhook.requests.length === 1 ? true : undefined), 20_000);
    expect(webhook.json()[0]).toMatchObject({ type: 'incident.triggered', data: { incident_id: incident.incident_id, silenced_by: null } });
    const after = await json('incidents', 'get', incident.incident_id);
    expect(after.notes.join('\n')).toContain('silence sil_00001 ended');
  });

  it('runs no action by itself on a silenced incident: the safe action is recorded as skipped and never runs', async () => {
    // prepare: a safe action for error bursts that would record its run
    const script = join(workspace, 'record.mjs');
    const recordFile = join(workspace, 'runs.jsonl');
    writeFileSync(script, "import { appendFileSync } from 'node:fs';\nappendFileSync(process.env.RECORD_FILE, 'ran\\n');\n");
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'remediation:',
          '  actions:',
          `    - { id: my_action, risk: safe, applies_to: [error_burst], command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(script)}], env: { RECORD_FILE: ${JSON.stringify(recordFile)} } }`,
        ].join('\n'),
      ),
    );
    expect((await cli('silences', 'create', '--component', 'checkout', '--duration', '1h', '--comment', 'deploy')).code).toBe(0);

    // act: an error burst through the real SDK exporter
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));

    // verify: containment went by, the action was skipped because of the silence, and nothing ran
    const contained = await eventually(async () => {
      const [incident] = await json('incidents', 'list', '--component', 'checkout');
      return incident?.status === 'investigating' ? incident : undefined;
    }, 15_000);
    expect(contained.actions.find((action: any) => action.action_id === 'my_action')).toMatchObject({ status: 'skipped' });
    const audit = (await json('incidents', 'get', contained.incident_id, '--full')).audit;
    expect(audit).toEqual(expect.arrayContaining([expect.objectContaining({ action_id: 'my_action', kind: 'skipped', detail: expect.stringContaining('silenced by sil_00001') })]));
    expect(existsSync(recordFile)).toBe(false);
    expect(contained.status_history.at(-1).reason).toContain('1 safe action(s) held by silence sil_00001');
  });

  it('refuses a silence without a comment or an end, or beyond 30 days; keeps silences across a restart', async () => {
    daemon = await startDaemon(workspace, writeConfig(workspace));
    const noComment = await cli('silences', 'create', '--component', 'checkout', '--duration', '1h');
    expect(noComment.code).toBe(2);
    expect(noComment.stderr).toContain('--comment is required');
    const noEnd = await cli('silences', 'create', '--component', 'checkout', '--comment', 'x');
    expect(noEnd.code).toBe(2);
    const tooLong = await cli('silences', 'create', '--component', 'checkout', '--duration', '60d', '--comment', 'forever');
    expect(tooLong.code).toBe(1);
    expect(tooLong.stderr).toMatch(/at most 30 days/);
    const past = await cli('silences', 'create', '--component', 'checkout', '--until', '2020-01-01T00:00:00Z', '--comment', 'x');
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/not in the future/);
    const unknown = await cli('silences', 'expire', 'sil_00009');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/not found/);

    // a silence survives a restart, and numbers are never reused
    expect((await cli('silences', 'create', '--component', 'checkout', '--duration', '1h', '--comment', 'kept')).code).toBe(0);
    expect(await daemon.stop()).toBe(0);
    daemon = await startDaemon(workspace, daemon.configFile);
    expect(await json('silences', 'list')).toEqual([expect.objectContaining({ silence_id: 'sil_00001', comment: 'kept', created_by: 'ann', active: true })]);
    expect((await cli('silences', 'create', '--component', 'api', '--duration', '1h', '--comment', 'next')).stdout).toMatch(/^sil_00002:/);
  });
});
