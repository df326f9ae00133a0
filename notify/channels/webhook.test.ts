import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebhookConfig } from '../config.js';
import { startReceiver, T0, testItem, type ReceivedRequest, type TestReceiver } from '../../test/helpers/notify-fixtures.js';
import { createWebhookChannel, signWebhook } from './webhook.js';

const KEY = Buffer.from('0123456789abcdef0123456789abcdef'); // 32 bytes
const SECRET = `whsec_${KEY.toString('base64')}`;

/** A receiver's verification, written from the spec, independent of the code under test. */
function verify(request: ReceivedRequest, key: Buffer): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest();
  return String(request.headers['webhook-signature'])
    .split(' ')
    .some((candidate) => {
      const [version, signature] = candidate.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

function config(url: string, overrides: Partial<WebhookConfig> = {}): WebhookConfig {
  return { name: 'ops', url, secret: SECRET, min_severity: 'low', headers: { 'X-Team': 'sre' }, timeout_seconds: 2, ...overrides };
}

describe('webhook channel', () => {
  let receiver: TestReceiver;
  afterEach(async () => {
    await receiver.close();
  });

  it('POSTs the Standard Webhooks envelope with id, timestamp and a verifiable v1 signature', async () => {
    // prepare
    receiver = await startReceiver({ status: 204 });
    const channel = createWebhookChannel(config(receiver.url));
    const item = testItem({ kind: 'escalated', created_at: T0 + 500 });

    // act
    const result = await channel.deliver(item, T0 + 1999);

    // verify
    expect(channel.name).toBe('webhook:ops');
    expect(result).toEqual({ outcome: 'delivered' });
    const request = receiver.requests[0]!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(item.id);
    expect(request.headers['webhook-timestamp']).toBe(String(Math.floor((T0 + 1999) / 1000)));
    expect(request.headers['x-team']).toBe('sre');
    expect(verify(request, KEY)).toBe(true);
    expect(verify(request, Buffer.from('another key of thirty-two bytes!'))).toBe(false);
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['type', 'timestamp', 'data']);
    expect(body.type).toBe('incident.escalated');
    expect(body.timestamp).toBe(new Date(T0 + 500).toISOString());
    expect(body.data).toEqual(item.incident);
  });

  it('keeps the webhook-id and body across retries; only the timestamp and signature change', async () => {
    // prepare
    receiver = await startReceiver();
    receiver.script({ status: 503 });
    const channel = createWebhookChannel(config(receiver.url));
    const item = testItem();

    // act
    const first = await channel.deliver(item, T0);
    const second = await channel.deliver({ ...item, attempts: 1 }, T0 + 5000);

    // verify
    expect(first).toEqual({ outcome: 'retry', error: 'webhook:ops: HTTP 503 Service Unavailable' });
    expect(second).toEqual({ outcome: 'delivered' });
    const [a, b] = receiver.requests as [ReceivedRequest, ReceivedRequest];
    expect(b.headers['webhook-id']).toBe(a.headers['webhook-id']);
    expect(b.body).toBe(a.body);
    expect(Number(b.headers['webhook-timestamp']) - Number(a.headers['webhook-timestamp'])).toBe(5);
    expect(verify(a, KEY) && verify(b, KEY)).toBe(true);
  });

  it('sends unsigned requests when no secret is configured', async () => {
    receiver = await startReceiver();
    const channel = createWebhookChannel(config(receiver.url, { secret: null }));
    await channel.deliver(testItem(), T0);
    const request = receiver.requests[0]!;
    expect(request.headers['webhook-signature']).toBeUndefined();
    expect(request.headers['webhook-id']).toBe('ntf_inc_00003_triggered_1');
    expect(request.headers['webhook-timestamp']).toBe(String(T0 / 1000));
  });

  it('signWebhook matches the spec example (standard-webhooks reference test vector)', () => {
    // From the standard-webhooks reference libraries' tests.
    const signature = signWebhook(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });
});
