// Generic webhook, signed per Standard Webhooks (https://www.standardwebhooks.com/, spec v1).
//
//   OutboxItem ──webhookBody()──▶ {"type":"incident.<kind>","timestamp":…,"data":<incident json>}
//              ──headers: webhook-id (= item id, the same on every retry, receivers dedup on it)
//                         webhook-timestamp (unix seconds of this attempt, receivers bound replays with it)
//                         webhook-signature "v1,<base64 HMAC-SHA256(key, `${id}.${timestamp}.${body}`)>"
//              ──postJson(url)──▶ DeliveryResult
//
// The key is the base64 after `whsec_`, decoded once here. Without a configured secret the request is sent
// unsigned (no webhook-signature header; webhook-id and webhook-timestamp are still sent): for receivers on a
// trusted network or authenticated by a configured header instead. The body's `timestamp` is when the
// notification was created (ISO-8601 with milliseconds, engine/json.ts isoTime; null if the stored item has no valid
// time), so the body (and only the signature's timestamp) stays the same across retries.

import { isoTime } from '../../common/time.js';
import { createHmac } from 'node:crypto';

import { WEBHOOK_SECRET_PREFIX, webhookChannelName, type WebhookConfig } from '../config.js';
import { postJson, type NotificationChannel } from '../delivery.js';
import { type OutboxItem } from '../../engine/index.js';

/** `v1,<signature>` for one message: the value of the webhook-signature header. */
export function signWebhook(secret: string | Buffer, id: string, timestampSeconds: number, body: string): string {
  const key = typeof secret === 'string' ? webhookSecretKey(secret) : secret;
  const signature = createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`).digest('base64');
  return `v1,${signature}`;
}

/** The HMAC key of a `whsec_…` secret. */
export function webhookSecretKey(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  return Buffer.from(encoded, 'base64');
}

export function webhookBody(item: OutboxItem): string {
  return JSON.stringify({ type: `incident.${item.kind}`, timestamp: isoTime(item.created_at), data: item.incident });
}

export function createWebhookChannel(config: WebhookConfig): NotificationChannel {
  const name = webhookChannelName(config.name);
  const key = config.secret === null ? null : webhookSecretKey(config.secret);
  const timeoutMs = config.timeout_seconds * 1000;
  return {
    name,
    deliver: (item, attemptAt) => {
      const body = webhookBody(item);
      const timestamp = Math.floor(attemptAt / 1000);
      const headers: Record<string, string> = {
        ...config.headers,
        'webhook-id': item.id,
        'webhook-timestamp': String(timestamp),
      };
      if (key !== null) headers['webhook-signature'] = signWebhook(key, item.id, timestamp, body);
      return postJson(config.url, body, headers, timeoutMs, { channel: name, now: attemptAt });
    },
  };
}
