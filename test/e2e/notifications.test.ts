// Notifications end to end: the real daemon delivering to real HTTP servers on 127.0.0.1 standing in for Slack,
// PagerDuty and a webhook receiver, and to a real SMTP server; endpoints that fail; a daemon killed with
// notifications still in its outbox.

import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  eventually,
  makeWorkspace,
  removeWorkspace,
  runCli,
  startDaemon,
  writeConfig,
  type DaemonProcess,
} from '../helpers/daemon-process.js';
import { Receiver } from '../helpers/http-receiver.js';

interface Mail {
  from: string;
  to: string[];
  data: string;
}

async function startSmtp(mails: Mail[]): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString()));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data,
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function verifyStandardWebhook(headers: IncomingHttpHeaders, body: string, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const signed = `${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`;
  const expected = createHmac('sha256', key).update(signed).digest('base64');
  return String(headers['webhook-signature'])
    .split(' ')
    .some((signature) => signature === `v1,${expected}`);
}

describe('notifications', () => {
  let workspace: string;
  let daemon: DaemonProcess | undefined;
  const receivers: Receiver[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeEach(() => {
    workspace = makeWorkspace();
  });
  afterEach(async () => {
    await daemon?.kill9();
    daemon = undefined;
    for (const receiver of receivers.splice(0)) await receiver.close();
    for (const close of closers.splice(0)) await close();
    removeWorkspace(workspace);
  });

  async function receiver(): Promise<[Receiver, string]> {
    const created = new Receiver();
    receivers.push(created);
    return [created, await created.start()];
  }

  const cli = (...args: string[]) => runCli([...args, '--socket', daemon!.socket], { env: { FIREWATCH_USER: 'ann' } });

  it('routes by severity to Slack, PagerDuty, email and a signed webhook, retrying a failing endpoint', async () => {
    // prepare
    const [slack, slackUrl] = await receiver();
    const [pagerduty, pagerdutyUrl] = await receiver();
    const [webhook, webhookUrl] = await receiver();
    const mails: Mail[] = [];
    const smtp = await startSmtp(mails);
    closers.push(smtp.close);
    const secret = `whsec_${randomBytes(32).toString('base64')}`;
    // PagerDuty is down for its first two requests, then throttles once with Retry-After.
    pagerduty.respond = (n) => (n <= 2 ? { status: 503 } : n === 3 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 202 });
    const env = { SLACK_WEBHOOK_URL: `${slackUrl}/services/T000/B000/SECRETTOKEN`, PD_KEY: 'R0UTINGKEY0000000000000000000000' };
    daemon = await startDaemon(
      workspace,
      writeConfig(
        workspace,
        [
          'exporters:',
          '  slack: { webhook_url: "${env:SLACK_WEBHOOK_URL}" }',
          `  pagerduty: { routing_key: "\${env:PD_KEY}", events_url: "${pagerdutyUrl}/v2/enqueue" }`,
          `  email: { smtp: { host: 127.0.0.1, port: ${smtp.port}, secure: false }, from: "firewatch@example.com", to: [ "oncall@example.com" ] }`,
          `  webhook: [ { name: ops, url: "${webhookUrl}/hooks/firewatch", secret: "${secret}" } ]`,
          '  retry: { initial_backoff_seconds: 0.2, max_backoff_seconds: 2, max_attempts: 10 }',
        ].join('\n'),
      ),
      env,
    );

    // act: a medium incident (Slack + webhook), then a critical one (everything), acknowledged and resolved
    expect((await cli('incidents', 'create', '--type', 'quality_drop', '--severity', 'medium', '--title', 'Quality <dip> & co')).code).toBe(0);
    expect((await cli('incidents', 'create', '--type', 'service_down', '--title', 'API down', '--components', 'api')).code).toBe(0);
    expect((await cli('incidents', 'acknowledge', 'inc_00002')).code).toBe(0);
    expect((await cli('incidents', 'resolve', 'inc_00002', '--notes', 'restarted')).code).toBe(0);

    // verify: PagerDuty got trigger → acknowledge → resolve, in order, after its failures
    await eventually(async () => (pagerduty.json().filter((body) => body.event_action === 'resolve').length === 1 ? true : undefined), 20_000);
    const delivered = pagerduty.json().slice(3);
    expect(delivered.map((body) => body.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
    expect(pagerduty.json()[0]).toEqual(delivered[0]); // retries send the same event
    expect(delivered[0]).toMatchObject({
      routing_key: 'R0UTINGKEY0000000000000000000000',
      dedup_key: 'inc_00002',
      payload: { severity: 'critical', source: 'api', class: 'service_down', summary: expect.stringContaining('API down') },
    });
    expect(delivered[1]).toEqual({ routing_key: 'R0UTINGKEY0000000000000000000000', event_action: 'acknowledge', dedup_key: 'inc_00002' });
    expect(pagerduty.requests.every((request) => request.path === '/v2/enqueue')).toBe(true);

    // Slack: both incidents (medium and critical), plus acknowledged/resolved of the critical one; mrkdwn escaped
    await eventually(async () => (slack.requests.length === 4 ? true : undefined), 10_000);
    expect(slack.requests.every((request) => request.path === '/services/T000/B000/SECRETTOKEN')).toBe(true);
    const slackTexts = slack.json().map((body) => String(body.text));
    expect(slackTexts[0]).toContain('inc_00001');
    expect(slackTexts.some((text) => text.includes('inc_00002') && text.includes('resolved'))).toBe(true);
    expect(JSON.stringify(slack.json()[0]!.blocks)).toContain('Quality &lt;dip&gt; &amp; co');

    // Webhook: every change, signed per Standard Webhooks
    await eventually(async () => (webhook.requests.length === 4 ? true : undefined), 10_000);
    for (const request of webhook.requests) expect(verifyStandardWebhook(request.headers, request.body, secret)).toBe(true);
    expect(webhook.json().map((body) => body.type)).toEqual(
      expect.arrayContaining(['incident.triggered', 'incident.acknowledged', 'incident.resolved']),
    );
    expect(new Set(webhook.requests.map((request) => request.headers['webhook-id'])).size).toBe(4);

    // Email: high and above only — the critical incident's three notifications
    await eventually(async () => (mails.length === 3 ? true : undefined), 10_000);
    expect(mails.every((mail) => mail.to.join() === 'oncall@example.com' && mail.from === 'firewatch@example.com')).toBe(true);
    expect(mails.map((mail) => /^Subject: (.*)$/m.exec(mail.data)?.[1])).toEqual([
      expect.stringMatching(/CRITICAL inc_00002 triggered/),
      expect.stringMatching(/inc_00002 acknowledged/),
      expect.stringMatching(/inc_00002 resolved/),
    ]);
    expect(mails.every((mail) => /^Message-ID: <ntf_inc_00002_/m.test(mail.data))).toBe(true);

    // Secrets never reach the logs
    expect(daemon.logs()).not.toContain('SECRETTOKEN');
    expect(daemon.logs()).not.toContain('R0UTINGKEY');
  });

  it('resolves the PagerDuty alert even after the severity was lowered below its min_severity', async () => {
    const [pagerduty, pagerdutyUrl] = await receiver();
    pagerduty.respond = () => ({ status: 202 });
    daemon = await startDaemon(
      workspace,
      writeConfig(workspace, ['exporters:', `  pagerduty: { routing_key: "R0UTINGKEY0000000000000000000001", events_url: "${pagerdutyUrl}/v2/enqueue" }`].join('\n')),
    );
    expect((await cli('incidents', 'create', '--type', 'service_down', '--components', 'api')).code).toBe(0);
    expect((await cli('incidents', 'update', 'inc_00001', '--severity', 'high', '--notes', 'only the canary')).code).toBe(0);
    expect((await cli('incidents', 'acknowledge', 'inc_00001')).code).toBe(0);
    expect((await cli('incidents', 'resolve', 'inc_00001')).code).toBe(0);
    await eventually(async () => (pagerduty.json().length === 3 ? true : undefined), 10_000);
    expect(pagerduty.json().map((body) => body.event_action)).toEqual(['trigger', 'acknowledge', 'resolve']);
  });

  it('keeps undelivered notifications across kill -9 and delivers them after the restart with the same ids', async () => {
    // prepare: the webhook receiver is down
    const [webhook, webhookUrl] = await receiver();
    webhook.respond = () => ({ status: 503 });
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    const config = writeConfig(
      workspace,
      [
        'exporters:',
        `  webhook: [ { name: ops, url: "${webhookUrl}/hook", secret: "${secret}" } ]`,
        '  retry: { initial_backoff_seconds: 0.2, max_backoff_seconds: 1, max_attempts: 100 }',
      ].join('\n'),
    );
    daemon = await startDaemon(workspace, config);
    expect((await cli('incidents', 'create', '--type', 'error_burst', '--components', 'checkout')).code).toBe(0);
    await eventually(async () => (webhook.requests.length >= 2 ? true : undefined), 10_000);
    const firstId = webhook.requests[0]!.headers['webhook-id'];
    expect(webhook.requests.every((request) => request.headers['webhook-id'] === firstId)).toBe(true);

    // act: kill -9 while it is still undelivered; the endpoint recovers; a new daemon starts on the same data
    await daemon.kill9();
    const attemptsBefore = webhook.requests.length;
    webhook.respond = () => ({ status: 204 });
    daemon = await startDaemon(workspace, config);

    // verify: delivered once more, same id and a valid signature; then nothing more
    await eventually(async () => (webhook.requests.length > attemptsBefore ? true : undefined), 10_000);
    const redelivered = webhook.requests[attemptsBefore]!;
    expect(redelivered.headers['webhook-id']).toBe(firstId);
    expect(verifyStandardWebhook(redelivered.headers, redelivered.body, secret)).toBe(true);
    expect(JSON.parse(redelivered.body)).toMatchObject({ type: 'incident.triggered', data: { incident_id: 'inc_00001' } });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(webhook.requests.length).toBe(attemptsBefore + 1);
  });

  it('dead-letters a notification the endpoint rejects, naming the channel and not the secret', async () => {
    const [webhook, webhookUrl] = await receiver();
    webhook.respond = () => ({ status: 400 });
    daemon = await startDaemon(
      workspace,
      writeConfig(workspace, ['exporters:', `  webhook: [ { name: ops, url: "${webhookUrl}/hook?token=SUPERSECRET" } ]`].join('\n')),
    );
    expect((await cli('incidents', 'create', '--type', 'error_burst')).code).toBe(0);
    await eventually(async () => (/notification dead-lettered|dead letter/i.test(daemon!.logs()) ? true : undefined), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(webhook.requests).toHaveLength(1); // a 400 is final: no retry
    expect(daemon.logs()).toMatch(/webhook:ops/);
    expect(daemon.logs()).not.toContain('SUPERSECRET');
  });
});
