// Silences and dead letters from the terminal UI, end to end: the built `firewatch tui` in a real pty against the real
// daemon, telemetry from the real OpenTelemetry SDK, a webhook receiver (a real HTTP server) that refuses. A silence
// created through the prompt holds the incident the spans open (its screen says so, nothing is sent); expiring it after
// y sends the notification, which the webhook refuses (a dead letter); r then y retries it, the webhook now taking it.

import { afterEach, describe, expect, it } from 'vitest';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';
import { spawnFirewatch, type PtyTui } from '../helpers/pty-terminal.js';

describe('silences and dead letters in the TUI against the real daemon', () => {
  let workspace: string | undefined;
  let daemon: DaemonProcess | undefined;
  let tui: PtyTui | undefined;
  const webhook = new Receiver();

  afterEach(async () => {
    tui?.kill();
    await daemon?.kill9();
    await webhook.close();
    if (workspace !== undefined) removeWorkspace(workspace);
  });

  const json = async (...args: string[]): Promise<any> => {
    const result = await runCli([...args, '--socket', daemon!.socket, '--format', 'json']);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('creates a silence from the prompt, expires it after y, and retries the dead letter that followed', { timeout: 90_000 }, async () => {
    workspace = makeWorkspace();
    webhook.respond = () => ({ status: 400 });
    const url = await webhook.start();
    daemon = await startDaemon(workspace, writeConfig(workspace, ['exporters:', `  webhook: [ { name: ops, url: "${url}/hook" } ]`].join('\n')));
    tui = spawnFirewatch(['tui', '--socket', daemon.socket, '--as', 'tester']);
    await tui.waitFor('● live');

    // n: component, any type, 2h (the default), a comment
    tui.type('5');
    await tui.waitFor('No silences.');
    tui.type('n');
    await tui.waitFor('New silence. Component:');
    for (const answer of ['search\r', '\r', '\r', 'CHG-42 reindex\r']) tui.type(answer);
    await tui.waitFor(/sil_00001 +component=search +\d\d:\d\dZ \(in 2h\) +tester +CHG-42 reindex/);
    expect(await json('silences', 'list')).toEqual([expect.objectContaining({ silence_id: 'sil_00001', component: 'search', created_by: 'tester', comment: 'CHG-42 reindex', active: true })]);

    // search fails: the incident opens held by the silence, nobody is told
    await exportSpans(daemon.otlpEndpoint, 'search', errorSpans(12));
    tui.type('2');
    await tui.waitFor(/› inc_00001/, 20_000);
    tui.type('\r');
    await tui.waitFor(/silenced by +sil_00001: not notified, no automatic action/);
    expect(webhook.requests).toHaveLength(0);

    // x, then y: expired by tester; the incident is notified now, and the webhook refuses it for good
    tui.type('5');
    await tui.waitFor('sil_00001');
    tui.type('x');
    await tui.waitFor('Expire sil_00001? Incidents it holds are notified. y/N');
    tui.type('y');
    await tui.waitFor(/sil_00001 +component=search +expired \d\d:\d\dZ by tester/);
    await eventually(async () => (webhook.requests.length === 1 ? true : undefined), 15_000);

    // 6: the dead letter; r, y: back in the outbox, delivered this time
    webhook.respond = () => ({ status: 204 });
    tui.type('6');
    await tui.waitFor(/› webhook:ops +inc_00001 +(triggered +)?dead/, 15_000); // 80 columns: the incident stands for the id
    tui.type('r');
    await tui.waitFor(/Retry ntf_inc_00001_triggered_\S+\? y\/N/);
    tui.type('y');
    await tui.waitFor(/ntf_inc_00001_triggered_\S+ back in the outbox/);
    await eventually(async () => (webhook.requests.length === 2 ? true : undefined), 15_000);
    await eventually(async () => ((await json('notifications', 'list', '--dead')).length === 0 ? true : undefined), 10_000);

    tui.type('q');
    expect(await tui.exit).toBe(0);
  });
});
