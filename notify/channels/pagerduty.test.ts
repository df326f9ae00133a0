import { afterEach, describe, expect, it } from 'vitest';
import type { NotificationKind, Severity } from '../../engine/types.js';
import { startReceiver, T0, testIncident, testItem, type TestReceiver } from '../../test/helpers/notify-fixtures.js';
import { createPagerDutyChannel } from './pagerduty.js';

const ROUTING_KEY = 'R0UT1NGKEY0123456789abcdefSECRET';

describe('pagerduty channel', () => {
  let receiver: TestReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  async function send(kind: NotificationKind, severity: Severity = 'critical') {
    receiver = await startReceiver({ status: 202, body: '{"status":"success","message":"Event processed"}' });
    const channel = createPagerDutyChannel({ routing_key: ROUTING_KEY, events_url: receiver.url, min_severity: 'critical', timeout_seconds: 2 });
    const result = await channel.deliver(testItem({ channel: 'pagerduty', kind, created_at: T0 + 1000 }, testIncident({ severity })), T0);
    return { result, body: JSON.parse(receiver.requests[0]!.body) as Record<string, any> };
  }

  it('sends a trigger with the full payload for triggered', async () => {
    // act
    const { result, body } = await send('triggered');

    // verify
    expect(result).toEqual({ outcome: 'delivered' });
    expect(receiver.requests[0]!.headers['content-type']).toBe('application/json');
    expect(Object.keys(body).sort()).toEqual(['client', 'dedup_key', 'event_action', 'payload', 'routing_key']);
    expect(body.routing_key).toBe(ROUTING_KEY);
    expect(body.event_action).toBe('trigger');
    expect(body.dedup_key).toBe('inc_00003');
    expect(body.client).toBe('firewatch');
    expect(body.payload).toEqual({
      summary: '[CRITICAL] inc_00003 Service Down - checkout',
      source: 'checkout',
      severity: 'critical',
      timestamp: new Date(T0 + 1000).toISOString(),
      component: 'checkout',
      group: 'checkout,payments',
      class: 'service_down',
      custom_details: {
        incident_id: 'inc_00003',
        notification: 'triggered',
        incident_type: 'service_down',
        severity: 'critical',
        status: 'detected',
        affected_components: ['checkout', 'payments'],
        event_count: 42,
        users_affected: 7,
        detected_at: '2025-02-05T10:30:00.000Z',
        root_cause: 'TimeoutError on checkout; root span payments POST /charge (TimeoutError: upstream timed out)',
        command: 'firewatch incidents get inc_00003',
      },
    });
  });

  it.each<[NotificationKind, string]>([
    ['triggered', 'trigger'],
    ['escalated', 'trigger'],
    ['acknowledged', 'acknowledge'],
    ['resolved', 'resolve'],
  ])('%s → event_action %s', async (kind, action) => {
    const { body } = await send(kind);
    expect(body.event_action).toBe(action);
    expect(body.dedup_key).toBe('inc_00003');
    if (action !== 'trigger') expect(Object.keys(body).sort()).toEqual(['dedup_key', 'event_action', 'routing_key']);
  });

  it.each<[Severity, string]>([
    ['critical', 'critical'],
    ['high', 'error'],
    ['medium', 'warning'],
    ['low', 'info'],
    ['info', 'info'],
  ])('severity %s → %s', async (severity, expected) => {
    const { body } = await send('triggered', severity);
    expect(body.payload.severity).toBe(expected);
  });

  it('cuts the summary to 1024 characters', async () => {
    receiver = await startReceiver({ status: 202 });
    const channel = createPagerDutyChannel({ routing_key: ROUTING_KEY, events_url: receiver.url, min_severity: 'critical', timeout_seconds: 2 });
    await channel.deliver(testItem({ channel: 'pagerduty' }, testIncident({ title: 'x'.repeat(5000) })), T0);
    const summary = (JSON.parse(receiver.requests[0]!.body) as { payload: { summary: string } }).payload.summary;
    expect(summary).toHaveLength(1024);
    expect(summary.endsWith('…')).toBe(true);
  });

  it('dead-letters 400 and retries 429, never showing the routing key', async () => {
    // prepare
    receiver = await startReceiver();
    receiver.script(
      { status: 400, body: `{"status":"invalid event","errors":["bad routing_key ${ROUTING_KEY}"]}` },
      { status: 429 },
    );
    const channel = createPagerDutyChannel({ routing_key: ROUTING_KEY, events_url: receiver.url, min_severity: 'critical', timeout_seconds: 2 });

    // act
    const invalid = await channel.deliver(testItem({ channel: 'pagerduty' }), T0);
    const throttled = await channel.deliver(testItem({ channel: 'pagerduty' }), T0);

    // verify
    expect(invalid).toEqual({ outcome: 'dead', error: 'pagerduty: HTTP 400 Bad Request' });
    expect(throttled).toEqual({ outcome: 'retry', error: 'pagerduty: HTTP 429 Too Many Requests' });
  });
});
