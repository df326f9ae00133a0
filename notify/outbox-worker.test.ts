import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, type RootDatabase } from 'lmdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Logger } from '../common/logger.js';
import type { OutboxItem } from '../engine/types.js';
import { Outbox } from '../store/outbox.js';
import { createChannels } from './channel.js';
import { parseExportersConfig, type NotifyConfig } from './config.js';
import { changesBetween, createNotificationSequence, notificationsFor } from './routing.js';
import { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
import { incidentToJson } from '../daemon/api-json.js';
import { fakeClock, startReceiver, T0, testIncident, testItem, type FakeClock, type ReceivedRequest, type TestReceiver } from '../test/helpers/notify-fixtures.js';

const KEY = Buffer.alloc(32, 42);
const SECRET = `whsec_${KEY.toString('base64')}`;
const URL_SECRET = 'URLSECRET0123';
const HEADER_SECRET = 'HEADERSECRET0123';

function signatureValid(request: ReceivedRequest): boolean {
  const expected = createHmac('sha256', KEY)
    .update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`)
    .digest('base64');
  return request.headers['webhook-signature'] === `v1,${expected}`;
}

describe('outbox worker', () => {
  let directory: string;
  let root: RootDatabase;
  let outbox: Outbox;
  let receiver: TestReceiver;
  let config: NotifyConfig;
  let clock: FakeClock;
  let logLines: string[];
  let worker: OutboxWorker | undefined;

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), 'firewatch-worker-'));
    root = open({ path: directory, maxDbs: 4 });
    outbox = new Outbox(root);
    receiver = await startReceiver();
    config = parseExportersConfig({
      webhook: [
        {
          name: 'ops',
          url: `${receiver.url}/${URL_SECRET}`,
          secret: SECRET,
          headers: { Authorization: `Bearer ${HEADER_SECRET}` },
          timeout_seconds: 2,
        },
      ],
      retry: { initial_backoff_seconds: 0.01, max_backoff_seconds: 10, max_attempts: 4 },
    });
    clock = fakeClock(T0);
    logLines = [];
  });

  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
    await receiver.close();
    await root.close();
    rmSync(directory, { recursive: true, force: true });
  });

  function recordingLog(): Logger {
    const record = (level: string) => (message: string, fields: Record<string, unknown>) =>
      logLines.push(`${level} ${message} ${JSON.stringify(fields)}`);
    return { info: record('info'), warn: record('warn'), error: record('error') };
  }

  function startWorker(overrides: Partial<OutboxWorkerOptions> = {}): OutboxWorker {
    worker = createOutboxWorker({
      outbox,
      channels: createChannels(config),
      retry: config.retry,
      clock,
      random: () => 0,
      log: recordingLog(),
      ...overrides,
    });
    worker.start();
    return worker;
  }

  async function stage(...items: OutboxItem[]): Promise<void> {
    for (const item of items) outbox.stage(item);
    await root.flushed;
    worker?.poke();
  }

  function expectNoSecrets(text: string): void {
    for (const secret of [URL_SECRET, HEADER_SECRET, SECRET, KEY.toString('base64'), '127.0.0.1']) expect(text).not.toContain(secret);
  }

  it('retries a failing endpoint and delivers with the same webhook-id every time', async () => {
    // prepare
    receiver.script({ status: 503 }, { status: 503 });
    const running = startWorker();
    await stage(testItem({ id: 'ntf_inc_00003_triggered_1' }));

    // act
    await running.idle();

    // verify
    expect(receiver.requests).toHaveLength(3);
    expect(receiver.requests.map((r) => r.headers['webhook-id'])).toEqual(Array(3).fill('ntf_inc_00003_triggered_1'));
    expect(receiver.requests.every(signatureValid)).toBe(true);
    expect(new Set(receiver.requests.map((r) => r.body)).size).toBe(1);
    expect(running.stats()).toEqual({ delivered: 1, retried: 2, deadLettered: 0, pending: 0, inFlight: 0 });
    expect(outbox.pendingCount()).toBe(0);
    expect(outbox.get('ntf_inc_00003_triggered_1')).toBeUndefined();
    expectNoSecrets(logLines.join('\n'));
  });

  it('honours Retry-After: nothing is sent before it has passed', async () => {
    // prepare
    receiver.script({ status: 429, headers: { 'retry-after': '2' } });
    const running = startWorker();
    await stage(testItem());
    await running.idle();

    // act + verify: rescheduled exactly 2 s out (random 0 → the jitter adds nothing)
    expect(receiver.requests).toHaveLength(1);
    expect(outbox.get('ntf_inc_00003_triggered_1')).toMatchObject({
      attempts: 1,
      next_attempt_at: T0 + 2000,
      last_error: 'webhook:ops: HTTP 429 Too Many Requests',
    });
    clock.now = T0 + 1999;
    await running.idle();
    expect(receiver.requests).toHaveLength(1);
    clock.now = T0 + 2000;
    await running.idle();
    expect(receiver.requests).toHaveLength(2);
    expect(running.stats()).toMatchObject({ delivered: 1, retried: 1, pending: 0 });
  });

  it('dead-letters a 400 at once, naming the channel and no secret', async () => {
    // prepare
    receiver.script({ status: 400, body: `rejected ${HEADER_SECRET}` });
    const running = startWorker();
    await stage(testItem());

    // act
    await running.idle();

    // verify
    expect(receiver.requests).toHaveLength(1);
    expect(outbox.pendingCount()).toBe(0);
    const [letter] = outbox.deadLetters(10);
    expect(letter).toMatchObject({
      id: 'ntf_inc_00003_triggered_1',
      attempts: 1,
      failed_at: T0,
      reason: 'webhook:ops: HTTP 400 Bad Request',
      last_error: 'webhook:ops: HTTP 400 Bad Request',
    });
    expectNoSecrets(JSON.stringify(letter));
    expectNoSecrets(logLines.join('\n'));
    expect(running.stats()).toMatchObject({ delivered: 0, deadLettered: 1 });
  });

  it('dead-letters after max_attempts', async () => {
    receiver.script(...Array(10).fill({ status: 500 }));
    const running = startWorker();
    await stage(testItem());
    await running.idle();
    expect(receiver.requests).toHaveLength(4);
    expect(outbox.deadLetters(1)[0]).toMatchObject({
      attempts: 4,
      reason: 'gave up after 4 attempts; last: webhook:ops: HTTP 500 Internal Server Error',
    });
    expect(running.stats()).toMatchObject({ retried: 3, deadLettered: 1, pending: 0 });
  });

  it('dead-letters items for a channel that is no longer configured', async () => {
    const running = startWorker();
    await stage(testItem({ channel: 'slack' }));
    await running.idle();
    expect(receiver.requests).toHaveLength(0);
    expect(outbox.deadLetters(1)[0]?.reason).toMatch(/^channel slack is not configured/);
  });

  it('delivers what was pending before a restart, with the same ids', async () => {
    // prepare: a first run gets a 503 for ntf_a and is stopped; ntf_b and ntf_c are committed but never tried
    receiver.script({ status: 503, headers: { 'retry-after': '60' } });
    const first = startWorker();
    await stage(testItem({ id: 'ntf_a' }));
    await first.idle();
    await first.stop();
    worker = undefined;
    await stage(testItem({ id: 'ntf_b', incident_id: 'inc_00004', kind: 'resolved' }), testItem({ id: 'ntf_c', incident_id: 'inc_00005' }));
    const sentBefore = receiver.requests.length;
    await root.close();
    clock.now = T0 + 60_000;

    // act: a new environment, outbox, channels and worker
    root = open({ path: directory, maxDbs: 4 });
    outbox = new Outbox(root);
    const pendingAfterRestart = outbox.pendingCount();
    const second = startWorker();
    await second.idle();

    // verify
    expect(sentBefore).toBe(1);
    expect(pendingAfterRestart).toBe(3);
    const ids = receiver.requests.slice(sentBefore).map((r) => r.headers['webhook-id']);
    expect(ids.sort()).toEqual(['ntf_a', 'ntf_b', 'ntf_c']);
    expect(second.stats()).toMatchObject({ delivered: 3, pending: 0 });
  });

  it('keeps an item in the outbox while its delivery is in flight (a crash then re-sends it)', async () => {
    // prepare
    receiver.script({ status: 200, delayMs: 150 });
    const running = startWorker();
    await stage(testItem());
    while (receiver.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));

    // act + verify
    expect(running.stats().inFlight).toBe(1);
    expect(outbox.get('ntf_inc_00003_triggered_1')).toBeDefined();
    await running.stop();
    expect(running.stats()).toMatchObject({ delivered: 1, inFlight: 0, pending: 0 });
  });

  it('sends a resolve only after its trigger went through', async () => {
    // prepare
    receiver.script({ status: 429, headers: { 'retry-after': '1' } });
    const running = startWorker();
    await stage(
      testItem({ id: 'ntf_inc_00003_triggered_1', kind: 'triggered' }),
      testItem({ id: 'ntf_inc_00003_resolved_2', kind: 'resolved', created_at: T0 + 1 }),
      testItem({ id: 'ntf_inc_00009_triggered_3', incident_id: 'inc_00009' }),
    );

    // act
    await running.idle();
    const whileThrottled = receiver.requests.map((r) => r.headers['webhook-id']);
    clock.now += 1000;
    await running.idle();

    // verify
    expect(whileThrottled.sort()).toEqual(['ntf_inc_00003_triggered_1', 'ntf_inc_00009_triggered_3']);
    expect(receiver.requests.slice(2).map((r) => r.headers['webhook-id'])).toEqual([
      'ntf_inc_00003_triggered_1',
      'ntf_inc_00003_resolved_2',
    ]);
  });

  it('bounds concurrency', async () => {
    // prepare
    receiver.script(...Array(8).fill({ status: 200, delayMs: 20 }));
    const running = startWorker({ maxConcurrent: 2 });

    // act
    await stage(...Array.from({ length: 8 }, (_, i) => testItem({ id: `ntf_${i}`, incident_id: `inc_${i}` })));
    await running.idle();

    // verify
    expect(receiver.requests).toHaveLength(8);
    expect(receiver.peakConcurrent()).toBe(2);
    expect(running.stats()).toMatchObject({ delivered: 8, pending: 0 });
  });

  it('end to end: incident changes → routing → outbox → Slack and PagerDuty stand-ins, in order', async () => {
    // prepare
    const slack = await startReceiver({ status: 200, body: 'ok' });
    const pagerduty = await startReceiver({ status: 202 });
    try {
      config = parseExportersConfig({
        slack: { webhook_url: slack.url },
        pagerduty: { routing_key: 'routing-key-0123456789abcdef0123', events_url: pagerduty.url },
      });
      pagerduty.script({ status: 500 }); // the trigger needs a retry: the resolve must still come after it
      const running = startWorker();
      const nextId = createNotificationSequence(clock);
      const opened = testIncident({ severity: 'high' });
      const escalated = { ...opened, severity: 'critical' as const };
      const resolved = { ...escalated, status: 'resolved' as const, resolved_at: T0 + 5 };
      const history: Array<[typeof opened | undefined, typeof opened]> = [[undefined, opened], [opened, escalated], [escalated, resolved]];

      // act: what the daemon does per committed change
      for (const [before, after] of history) {
        for (const kind of changesBetween(before, after)) {
          const json = incidentToJson(after) as unknown as Record<string, unknown>;
          for (const item of notificationsFor({ kind, incident: after, incidentJson: json }, config, clock(), nextId)) outbox.stage(item);
        }
        await root.flushed;
        running.poke();
      }
      await running.idle();

      // verify
      const slackTexts = slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);
      expect(slackTexts).toEqual([
        '[HIGH] inc_00003 Service Down - checkout (triggered)',
        '[CRITICAL] inc_00003 Service Down - checkout (escalated)',
        '[CRITICAL] inc_00003 Service Down - checkout (resolved)',
      ]);
      const actions = pagerduty.requests.map((r) => (JSON.parse(r.body) as { event_action: string; dedup_key: string }));
      expect(actions).toEqual([
        expect.objectContaining({ event_action: 'trigger', dedup_key: 'inc_00003' }),
        expect.objectContaining({ event_action: 'trigger', dedup_key: 'inc_00003' }),
        { routing_key: 'routing-key-0123456789abcdef0123', event_action: 'resolve', dedup_key: 'inc_00003' },
      ]);
      expect(running.stats()).toMatchObject({ delivered: 5, retried: 1, deadLettered: 0, pending: 0 });
    } finally {
      await slack.close();
      await pagerduty.close();
    }
  });
});
