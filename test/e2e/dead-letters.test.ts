// Dead letters end to end: the real daemon notifying a real HTTP receiver that refuses (a 4xx is final), the CLI
// listing the dead letter, retrying it once the receiver is back (delivered, audited), and dropping another.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, makeWorkspace, removeWorkspace, runCli, startDaemon, writeConfig, type DaemonProcess } from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';
import { errorSpans, exportSpans } from '../helpers/otel-sdk.js';

describe('dead letters', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  let webhook: Receiver;

  beforeEach(() => {
    workspace = makeWorkspace();
    webhook = new Receiver();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    await webhook.close();
    removeWorkspace(workspace);
  });

  const cli = (...args: string[]) => runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });
  const json = async (...args: string[]): Promise<any> => {
    const result = await cli(...args, '--format', 'json');
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  };

  it('lists a dead letter, delivers it on retry once the receiver is back, and audits retries and drops', async () => {
    // prepare: the webhook receiver rejects everything (400: final, no retry)
    webhook.respond = () => ({ status: 400 });
    const url = await webhook.start();
    daemon = await startDaemon(workspace, writeConfig(workspace, ['exporters:', `  webhook: [ { name: ops, url: "${url}/hook" } ]`].join('\n')));

    // act: two incidents (an error burst from the real SDK, one by hand); both notifications die
    await exportSpans(daemon.otlpEndpoint, 'checkout', errorSpans(12));
    expect((await cli('incidents', 'create', '--type', 'service_down', '--components', 'api')).code).toBe(0);
    const dead = await eventually(async () => {
      const letters = await json('notifications', 'list', '--dead');
      return letters.length === 2 ? letters : undefined;
    }, 15_000);

    // verify: listed with their channel and why
    expect(dead.every((letter: any) => letter.state === 'dead' && letter.channel === 'webhook:ops' && letter.kind === 'triggered' && /400/.test(letter.reason))).toBe(true);
    expect(await json('notifications', 'list', '--dead', '--channel', 'slack')).toEqual([]);
    const table = await cli('notifications', 'list', '--dead');
    expect(table.stdout).toContain('webhook:ops');
    const stats = await json('incidents', 'stats');
    expect(stats.dead_letters).toBe(2);
    const burst = dead.find((letter: any) => letter.incident_id !== 'inc_00002') ?? dead[0];
    const manual = dead.find((letter: any) => letter !== burst);
    const attempts = webhook.requests.length;

    // act: the receiver is back; retry one, drop the other
    webhook.respond = () => ({ status: 204 });
    const retried = await cli('notifications', 'retry', burst.notification_id);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stdout).toContain(`${burst.notification_id}: retried`);
    const dropped = await cli('notifications', 'drop', manual.notification_id, '--as', 'bob');
    expect(dropped.code, dropped.stderr).toBe(0);

    // verify: delivered once, with the same id; no dead letters left; both audited under their incidents
    await eventually(async () => (webhook.requests.length === attempts + 1 ? true : undefined), 10_000);
    expect(webhook.json().at(-1)).toMatchObject({ type: 'incident.triggered', data: { incident_id: burst.incident_id } });
    const firstTry = webhook.requests.find((request) => JSON.parse(request.body).data.incident_id === burst.incident_id)!;
    expect(webhook.requests.at(-1)!.headers['webhook-id']).toBe(firstTry.headers['webhook-id']);
    expect(await json('notifications', 'list', '--dead')).toEqual([]);
    expect((await json('incidents', 'stats')).dead_letters).toBe(0);
    const burstAudit = (await json('incidents', 'get', burst.incident_id, '--full')).audit;
    expect(burstAudit).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'retried', action_id: burst.notification_id, actor: 'ann' })]));
    const manualAudit = (await json('incidents', 'get', manual.incident_id, '--full')).audit;
    expect(manualAudit).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'dropped', action_id: manual.notification_id, actor: 'bob' })]));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(webhook.requests).toHaveLength(attempts + 1); // the dropped one never goes out

    // a retry of what is no longer a dead letter says so
    const again = await cli('notifications', 'retry', burst.notification_id);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/no dead letter/);
  });
});
